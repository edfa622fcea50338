import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * One folder per test run where the first browser-test file builds the SPA and the
 * others reuse it (support/e2e.ts): the production build is the same for every file,
 * and building it once per file cost a minute of CI per pass.
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
