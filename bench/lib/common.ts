import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root (bench/ lives directly under it). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Imports a package as one of the apps sees it. bench/ is not a workspace
 * package, so bare specifiers like 'vite' do not resolve from here; resolve
 * them from the app that depends on them instead.
 */
export async function importFrom<T>(app: 'api' | 'web', specifier: string): Promise<T> {
  const require = createRequire(new URL(`apps/${app}/package.json`, pathToFileURL(REPO_ROOT)));
  return (await import(pathToFileURL(require.resolve(specifier)).href)) as T;
}

/** An environment variable a bench server process needs from its parent. */
export function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
}

/** One budget from QUALITY.md, checked against a measurement. */
export interface Check {
  name: string;
  target: string;
  actual: string;
  pass: boolean;
}

/** What every benchmark hands back to run.ts. */
export interface BenchResult {
  name: string;
  title: string;
  /** False when the benchmark could not produce a measurement (the error says why). */
  completed: boolean;
  error?: string;
  /** Rows for the printed table: label, then one cell per column. */
  table: { columns: string[]; rows: string[][] };
  checks: Check[];
  notes: string[];
  data: Record<string, unknown>;
  durationMs: number;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Kilobytes as budgets mean them: 1 kB = 1,000 bytes (the stricter reading). */
export function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

export function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

/** A plain-text table with right-aligned numbers. */
export function renderTable(columns: string[], rows: string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
