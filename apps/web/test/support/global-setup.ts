import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * One folder per test run where the first browser-test file builds the SPA (and, on the
 * embedded database, migrates a data folder) and the others reuse it (support/e2e.ts):
 * both are the same for every file, and making them once per file cost CI over a minute a pass.
 */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'visiona-web-build-'));
  project.provide('e2eBuildDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2eBuildDir: string;
  }
}
