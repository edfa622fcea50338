import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ErrorReporter } from '../integrations/sentry.ts';

const failure = Symbol('visiona.failure');
type WithFailure = FastifyRequest & { [failure]?: unknown };

/**
 * Reports the error behind every 5xx answer to Sentry (the reporter scrubs it of
 * personal data). A 4xx is the client's mistake, not ours, and is never reported.
 *
 * The error is noted when it is thrown (onError) and reported once the answer has gone
 * out (onResponse), with the status the error handler actually chose: the handler maps
 * domain errors to their codes, so only it knows whether an error became a 5xx.
 */
export default fp(
  async function sentryPlugin(app: FastifyInstance, opts: { reporter: ErrorReporter; beforeFlush?: () => Promise<void> }) {
    app.addHook('onError', async (request, _reply, error) => {
      (request as WithFailure)[failure] = error;
    });
    app.addHook('onResponse', async (request, reply) => {
      const err = (request as WithFailure)[failure];
      if (err === undefined || reply.statusCode < 500) return;
      opts.reporter.captureException(err, {
        requestId: String(request.id),
        method: request.method,
        route: request.routeOptions.url ?? '(no route)',
        statusCode: reply.statusCode,
      });
    });
    // Queued events go out before the process exits (graceful shutdown closes the app); first the
    // running jobs finish (beforeFlush), so that a job failing during shutdown is reported too.
    app.addHook('onClose', async () => {
      await opts.beforeFlush?.();
      await opts.reporter.close(2000);
    });
  },
  { name: 'sentry', dependencies: ['errors'] },
);
