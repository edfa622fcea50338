import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ERRORS, StorageHttpError } from './errors.ts';
import { verifyJwt } from './signing.ts';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Service-role auth: `Authorization: Bearer <serviceKey>` and/or `apikey: <serviceKey>`.
 * A Bearer JWT signed with the emulator's jwtSecret carrying role=service_role is also
 * accepted (like a real service-role key). Anything else is refused with the real
 * server's error body.
 */
export function checkServiceAuth(request: FastifyRequest, serviceKey: string, jwtSecret: string, now: Date): void {
  const authz = request.headers.authorization;
  const apikey = request.headers.apikey;
  if (typeof authz === 'string' && authz.length > 0) {
    const m = /^Bearer\s+(.+)$/i.exec(authz);
    if (!m || m[1] === undefined) throw ERRORS.accessDenied('invalid authorization header');
    const token = m[1].trim();
    if (same(token, serviceKey)) return;
    try {
      const payload = verifyJwt(token, jwtSecret, now);
      if (payload.role === 'service_role') return;
    } catch (e) {
      if (!(e instanceof StorageHttpError)) throw e;
      throw ERRORS.accessDenied(e.message);
    }
    throw ERRORS.accessDenied('invalid role');
  }
  if (typeof apikey === 'string' && apikey.length > 0) {
    if (same(apikey, serviceKey)) return;
    throw ERRORS.accessDenied('invalid signature');
  }
  throw ERRORS.invalidRequest("headers must have required property 'authorization'");
}
