import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Unauthorized } from '../lib/errors.ts';
import type { AuthService, AuthUser } from '../modules/auth/service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
  }
  interface FastifyContextConfig {
    /** Set on routes anyone may call; every other /api/v1 route must declare `schema.security`. */
    public?: boolean;
  }
}

export const BEARER_SECURITY = [{ bearerAuth: [] as string[] }];

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/**
 * Resolves the caller on every route that declares a security requirement and
 * refuses the request with 401 when it cannot. Cookies are never consulted.
 */
export default fp(
  async function authPlugin(app: FastifyInstance, opts: { auth: AuthService }) {
    app.decorateRequest('user', null);

    async function authenticate(request: FastifyRequest) {
      const token = bearerToken(request);
      if (!token) throw new Unauthorized();
      const user = await opts.auth.authenticateSession(token);
      if (!user) throw new Unauthorized('Your session has expired or was revoked. Sign in again.');
      request.user = user;
    }

    app.addHook('onRoute', (route) => {
      const secured = Array.isArray(route.schema?.security) && route.schema.security.length > 0;
      const isPublic = route.config?.public === true;
      if (route.url.startsWith('/api/v1') && secured === isPublic) {
        throw new Error(
          `Route ${route.method} ${route.url} must declare exactly one of schema.security or config.public`,
        );
      }
      if (isPublic) {
        // Stated, not implied: public operations carry an empty requirement in the spec.
        route.schema = { ...route.schema, security: [] };
      }
      if (secured) {
        const existing = route.onRequest ? [route.onRequest].flat() : [];
        route.onRequest = [authenticate, ...existing];
      }
    });
  },
  { name: 'auth', dependencies: ['errors'] },
);
