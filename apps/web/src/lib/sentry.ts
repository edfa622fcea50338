import * as Sentry from '@sentry/react';
import { SENTRY_COLLECT_NOTHING, scrubBreadcrumb, scrubErrorEvent, type SentryBrowserConfig } from '@visiona/shared';
import { ApiError } from './api-client';

/**
 * The Sentry SDK, in a chunk of its own that is downloaded only when the server gives
 * the SPA a DSN (see ./error-reporting). Nothing personal is sent: no collection of
 * user, headers, cookies, bodies or query strings, no session tracking, no replay, no
 * tracing, and every event and breadcrumb is scrubbed (packages/shared/src/privacy.ts).
 */
export function initSentry(config: SentryBrowserConfig): (error: unknown, componentStack: string | undefined) => void {
  Sentry.init({
    dsn: config.dsn,
    environment: config.environment,
    release: config.release,
    dataCollection: SENTRY_COLLECT_NOTHING,
    // Release-health sessions would send a request on every page load, for nothing we use.
    integrations: (defaults) => defaults.filter((integration) => integration.name !== 'BrowserSession'),
    beforeSend(event, hint) {
      const error = hint.originalException;
      // An API error is the API's to report, and then only a 5xx (it does). A 4xx, or no
      // answer at all (offline), is not a bug of ours.
      if (error instanceof ApiError && (error.kind !== 'http' || error.statusCode < 500)) return null;
      return scrubErrorEvent(event);
    },
    beforeBreadcrumb: (breadcrumb) => scrubBreadcrumb(breadcrumb),
  });
  return (error, componentStack) => {
    Sentry.captureException(error, componentStack ? { contexts: { react: { componentStack } } } : undefined);
  };
}
