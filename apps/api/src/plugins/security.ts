import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';

export default fp(
  async function securityPlugin(app: FastifyInstance, opts: { config: Config }) {
    const { config } = opts;
    await app.register(helmet, {
      // The API serves JSON; only /api/docs renders HTML and sets its own CSP.
      contentSecurityPolicy: false,
      crossOriginResourcePolicy: { policy: 'same-site' },
    });
    await app.register(cors, {
      origin: config.webOrigins,
      credentials: false,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'prefer', 'x-request-id'],
      exposedHeaders: ['retry-after', 'x-request-id', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
      maxAge: 600,
    });
    // Runs after authentication so that signed-in callers are limited per user, others per IP.
    await app.register(rateLimit, {
      global: true,
      hook: 'preHandler',
      // The IETF draft's `ratelimit-*` names, which CORS exposes to the SPA (the default is `x-ratelimit-*`).
      enableDraftSpec: true,
      max: config.rateLimit.max,
      timeWindow: config.rateLimit.windowMs,
      keyGenerator: (request) => (request.user ? `user:${request.user.id}` : `ip:${request.ip}`),
      allowList: (request) => request.url === '/livez' || request.url === '/readyz',
      errorResponseBuilder: (_request, context) => {
        const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
        const err = new Error(
          `Too many requests. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
        ) as Error & { statusCode: number };
        err.statusCode = context.statusCode;
        return err;
      },
    });
    // Authenticated JSON must never be cached by browsers or proxies.
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.user && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      reply.header('x-request-id', String(request.id));
      return payload;
    });
  },
  { name: 'security', dependencies: ['errors', 'auth'] },
);
