import { Type } from 'typebox';
import type { FastifyInstance, FastifyRequest, RawServerDefault, FastifyBaseLogger } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The Fastify instance type every route module receives. */
export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

const errorRef = { $ref: 'ErrorResponse#' } as const;

/** Adds the shared error contract to a route's documented responses. */
export function withErrors<T extends object>(ok: T) {
  return { ...ok, '4xx': errorRef, '5xx': errorRef };
}

export function requestMeta(request: FastifyRequest) {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof ua === 'string' ? ua.slice(0, 300) : null };
}

/** `:id` route parameters: a uuid. */
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
