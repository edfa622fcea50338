import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { STATUS_CODES } from 'node:http';
import type { ErrorResponse, FieldError } from '@visiona/shared';
import { AppError, sqlState } from '../lib/errors.ts';

const INTERNAL_MESSAGE =
  'Something went wrong on our side. Please try again; if it keeps happening, contact support and quote the request id.';

// Fastify's own 4xx errors carry safe, user-facing messages; rewrite the terse ones.
const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is too large.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported Content-Type. Send JSON with `Content-Type: application/json`.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty; send a JSON object.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
  FST_ERR_BAD_URL: 'The URL is not valid: a `%` must start an escape such as `%2F`.',
  FST_ERR_MAX_PARAM_LENGTH: 'A path parameter in the URL is too long (100 characters at most). Check the id.',
};

function validationDetails(err: FastifyError): FieldError[] {
  const context = err.validationContext ?? 'body';
  return (err.validation ?? []).map((v) => {
    const missing = v.keyword === 'required' ? `/${String((v.params as { missingProperty?: string }).missingProperty)}` : '';
    const pointer = `${v.instancePath}${missing}`;
    const field = [context, ...pointer.split('/').filter(Boolean)].join('.');
    const message = v.keyword === 'required' ? 'is required' : (v.message ?? 'is invalid');
    return { field, message };
  });
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  statusCode: number,
  message: string,
  extra: { code?: string; details?: FieldError[] } = {},
) {
  const body: ErrorResponse = {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    requestId: String(request.id),
    ...(extra.code ? { code: extra.code } : {}),
    ...(extra.details ? { details: extra.details } : {}),
  };
  return reply.code(statusCode).type('application/json; charset=utf-8').send(body);
}

/**
 * Fastify's `frameworkErrors`: what the router refuses before any hook runs (a bad
 * percent-escape, an over-long path parameter), answered in the shared error shape.
 * No hook runs for these, so the headers every answer needs are set here.
 */
export function sendFrameworkError(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.headers({ 'x-request-id': String(request.id), 'x-content-type-options': 'nosniff' });
  const status = err.statusCode ?? 500;
  if (status < 500) return sendError(request, reply, status, FRAMEWORK_MESSAGES[err.code] ?? err.message, { code: 'bad_request' });
  request.log.error({ err }, 'request failed');
  return sendError(request, reply, 500, INTERNAL_MESSAGE, { code: 'internal' });
}

export default fp(
  async function errorsPlugin(app: FastifyInstance) {
    app.setErrorHandler((err: FastifyError, request, reply) => {
      if (err instanceof AppError) {
        if (err.headers) reply.headers(err.headers);
        return sendError(request, reply, err.statusCode, err.message, {
          code: err.code,
          ...(err.details ? { details: err.details } : {}),
        });
      }
      // Postgres cannot store U+0000 in text (22021, character_not_in_repertoire); in a request, the NUL came with it.
      if (sqlState(err) === '22021') {
        return sendError(request, reply, 400, 'The request contains a NUL character (U+0000), which cannot be stored. Remove it and try again.', {
          code: 'validation_failed',
        });
      }
      if (err.validation) {
        const details = validationDetails(err);
        const summary = details.map((d) => `${d.field} ${d.message}`).join('; ');
        return sendError(request, reply, 400, `Invalid request: ${summary}.`, { code: 'validation_failed', details });
      }
      const status = err.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        return sendError(request, reply, status, FRAMEWORK_MESSAGES[err.code] ?? err.message, {
          code: status === 429 ? 'rate_limited' : 'bad_request',
        });
      }
      request.log.error({ err }, 'request failed');
      return sendError(request, reply, status >= 500 && status < 600 ? status : 500, INTERNAL_MESSAGE, {
        code: 'internal',
      });
    });

    app.setNotFoundHandler((request, reply) =>
      sendError(request, reply, 404, `No route ${request.method} ${request.url.split('?')[0]}. See /api/docs for the API.`, {
        code: 'route_not_found',
      }),
    );
  },
  { name: 'errors' },
);
