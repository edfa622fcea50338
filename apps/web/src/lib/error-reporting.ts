import type { SentryBrowserConfig } from '@visiona/shared';

/**
 * Error reporting of the SPA, off unless the server hands out a Sentry DSN
 * (`sentry` in GET /api/v1/config). This file is on the first route, so it stays tiny:
 * the Sentry SDK itself is in ./sentry, a chunk downloaded only when there is a DSN.
 */
type Report = (error: unknown, componentStack: string | undefined) => void;

let report: Report | null = null;
/** Errors caught by an error boundary before the configuration said whether to report them. */
let early: [unknown, string | undefined][] | null = [];
const EARLY_MAX = 10;

/** Starts reporting when the configuration has a DSN; otherwise nothing is ever loaded. */
export async function startErrorReporting(config: SentryBrowserConfig | null): Promise<void> {
  const pending = early ?? [];
  early = null;
  if (!config || report) return;
  try {
    const { initSentry } = await import('./sentry');
    report = initSentry(config);
  } catch (err) {
    // Reporting is a nicety: a chunk that failed to download must not break the app.
    console.warn('Error reporting is off: the Sentry SDK did not load.', err);
    return;
  }
  for (const [error, stack] of pending) report(error, stack);
}

/**
 * For `createRoot`'s `onCaughtError`: errors an error boundary showed to the person.
 * Logs them as React does by default, and reports them when reporting is on. (Uncaught
 * errors reach `window`'s error event, where the SDK listens by itself.)
 */
export function reportCaughtError(error: unknown, info: { componentStack?: string }): void {
  console.error(error);
  if (report) report(error, info.componentStack);
  else if (early && early.length < EARLY_MAX) early.push([error, info.componentStack]);
}
