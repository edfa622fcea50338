import { SENTRY_COLLECT_NOTHING, scrubBreadcrumb, scrubErrorEvent } from '@visiona/shared';

/** What the API reports about a failed request: nothing that identifies the person. */
export interface ErrorContext {
  requestId: string;
  method: string;
  /** The route's pattern (`/api/v1/models/:id`), never the URL with its ids and query. */
  route: string;
  statusCode: number;
}

/** What the API reports about a job that failed for good: its id, name and attempt, never its payload. */
export interface JobFailureContext {
  id: string;
  name: string;
  attempt: number;
}

export interface ErrorReporter {
  captureException(err: unknown, context: ErrorContext): void;
  captureJobFailure(err: unknown, job: JobFailureContext): void;
  /** Sends what is queued (up to `timeoutMs`) and stops. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * A Sentry client of this app's own, from `@sentry/node`, which is imported only here
 * and only when a DSN is configured: without one, nothing of Sentry is loaded.
 *
 * A client rather than `Sentry.init()`: init patches globals (OpenTelemetry, http,
 * process handlers) and reads SENTRY_* from the environment, and Visiona wants none of
 * that, only its own 5xx and failed jobs reported. So no default integrations, no tracing, no request
 * data: each event is built from the error and the context given here, then scrubbed.
 */
export async function createSentryReporter(opts: { dsn: string; environment: string; release: string }): Promise<ErrorReporter> {
  const Sentry = await import('@sentry/node');
  const client = new Sentry.NodeClient({
    dsn: opts.dsn,
    environment: opts.environment,
    release: opts.release,
    transport: Sentry.makeNodeTransport,
    stackParser: Sentry.defaultStackParser,
    integrations: [Sentry.linkedErrorsIntegration(), Sentry.dedupeIntegration()],
    dataCollection: SENTRY_COLLECT_NOTHING,
    sendClientReports: false,
    enableRuntimeChannelInjection: false,
    // The host name of a container says which replica failed; it is not about a person.
    includeServerName: true,
    maxBreadcrumbs: 0,
    beforeSend: (event) => scrubErrorEvent(event),
    beforeBreadcrumb: (crumb) => scrubBreadcrumb(crumb),
  });
  const scope = new Sentry.Scope();
  scope.setClient(client);
  client.init();

  return {
    captureException(err, context) {
      const s = scope.clone();
      s.setTags({
        request_id: context.requestId,
        method: context.method,
        route: context.route,
        status_code: String(context.statusCode),
      });
      s.captureException(err);
    },
    captureJobFailure(err, job) {
      const s = scope.clone();
      s.setTags({ job_id: job.id, job: job.name, attempt: String(job.attempt) });
      s.captureException(err);
    },
    async close(timeoutMs) {
      await client.close(timeoutMs);
    },
  };
}
