import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { TokenScopeName } from '@visiona/shared';
import { AppError, Forbidden, Unauthorized } from '../lib/errors.ts';
import { createFailureLimiter } from '../lib/failure-limiter.ts';
import type { AuthUser } from '../modules/auth/types.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
  }
  interface FastifyContextConfig {
    /** Set on routes anyone may call; every other /api/v1 route must declare `schema.security`. */
    public?: boolean;
  }
}

/** Resolves a bearer credential of one kind to its user, or null when it is not valid. */
export type Authenticator = (token: string) => Promise<AuthUser | null>;

export interface Authenticators {
  /** Local sign-in sessions (`vss_…`); absent when Clerk is the identity provider. */
  session?: Authenticator;
  /** Personal API tokens (`vsk_…`), in every mode. */
  apiToken: Authenticator;
  /** Clerk session tokens (JWTs), when Clerk is configured. */
  clerk?: Authenticator;
}

/**
 * The security requirement of a route: any signed-in caller, and for API tokens
 * the named scope. It is what `openapi.yaml` shows for the operation.
 */
export function requireScope(scope: TokenScopeName | null) {
  return [{ bearerAuth: scope ? [scope] : ([] as string[]) }];
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

function pickAuthenticator(token: string, auth: Authenticators): Authenticator | undefined {
  if (token.startsWith('vsk_')) return auth.apiToken;
  if (token.startsWith('vss_')) return auth.session;
  if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return auth.clerk;
  return undefined;
}

/**
 * Resolves the caller on every route that declares a security requirement,
 * refusing with 401 when it cannot and 403 when an API token lacks the scope. An address
 * that sent too many credentials that failed gets 429 until its window ends.
 * Only the Authorization header is read: never cookies.
 */
export default fp(
  async function authPlugin(app: FastifyInstance, opts: { authenticators: Authenticators; failureLimit?: { max: number; windowMs: number } }) {
    app.decorateRequest('user', null);
    // Per address: requests whose credentials failed, refused with 429 once over the limit.
    const failures = opts.failureLimit ? createFailureLimiter(opts.failureLimit) : null;

    function authenticateWith(scope: TokenScopeName | null) {
      return async function authenticate(request: FastifyRequest) {
        const token = bearerToken(request);
        if (!token) throw new Unauthorized();
        const wait = failures?.blockedFor(request.ip) ?? 0;
        if (wait > 0) {
          throw new AppError(
            429,
            'rate_limited',
            `Too many requests with an invalid session or token came from your address. Try again in ${wait} second${wait === 1 ? '' : 's'}, with a valid token.`,
            { headers: { 'retry-after': String(wait) } },
          );
        }
        const authenticator = pickAuthenticator(token, opts.authenticators);
        const user = authenticator ? await authenticator(token) : null;
        if (!user) {
          failures?.fail(request.ip);
          throw new Unauthorized('Your session or token is invalid, expired or revoked. Sign in again or use a valid token.');
        }
        if (scope && user.scopes !== 'all' && !user.scopes.includes(scope)) {
          throw new Forbidden(`This API token lacks the \`${scope}\` scope that ${request.method} ${request.routeOptions.url} needs. Create a token with that scope.`);
        }
        request.user = user;
      };
    }

    app.addHook('onRoute', (route) => {
      const security = route.schema?.security;
      const secured = Array.isArray(security) && security.length > 0;
      const isPublic = route.config?.public === true;
      if (route.url.startsWith('/api/v1') && secured === isPublic) {
        throw new Error(`Route ${route.method} ${route.url} must declare exactly one of schema.security or config.public`);
      }
      if (isPublic) {
        // Stated, not implied: public operations carry an empty requirement in the spec.
        route.schema = { ...route.schema, security: [] };
      }
      if (secured) {
        const scopes = (security[0] as { bearerAuth?: string[] }).bearerAuth ?? [];
        const existing = route.onRequest ? [route.onRequest].flat() : [];
        route.onRequest = [authenticateWith((scopes[0] as TokenScopeName | undefined) ?? null), ...existing];
      }
    });
  },
  { name: 'auth', dependencies: ['errors'] },
);
