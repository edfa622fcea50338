import type { FastifyReply } from 'fastify';

/** OpenAI answers every error as `{error: {message, type, param, code}}`. */
export class OpenAiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
  constructor(status: number, message: string, opts: { type?: string; param?: string | null; code?: string | null } = {}) {
    super(message);
    this.status = status;
    this.type = opts.type ?? 'invalid_request_error';
    this.param = opts.param ?? null;
    this.code = opts.code ?? null;
  }
}

export function sendError(reply: FastifyReply, e: OpenAiError): FastifyReply {
  const body = { error: { message: e.message, type: e.type, param: e.param, code: e.code } };
  return reply.code(e.status).type('application/json').send(JSON.stringify(body));
}

export function invalid(message: string, param: string | null, code: string | null = null): OpenAiError {
  return new OpenAiError(400, message, { param, code });
}

export function modelNotFound(model: string): OpenAiError {
  return new OpenAiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, { code: 'model_not_found' });
}

export const MISSING_API_KEY = new OpenAiError(
  401,
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
);

/** Like the real API, the key is echoed masked, never whole. */
export function incorrectApiKey(key: string): OpenAiError {
  const masked = key.length > 8 ? `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 40))}${key.slice(-4)}` : '*'.repeat(key.length);
  return new OpenAiError(401, `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`, { code: 'invalid_api_key' });
}

export function rateLimited(model: string, retryAfterMs: number): OpenAiError {
  return new OpenAiError(
    429,
    `Rate limit reached for ${model} on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in ${retryAfterMs}ms. (simulated by the emulator)`,
    { type: 'requests', code: 'rate_limit_exceeded' },
  );
}

export function serverError(status: number): OpenAiError {
  const message = status === 503
    ? 'The engine is currently overloaded, please try again later. (simulated by the emulator)'
    : 'The server had an error while processing your request. Sorry about that! (simulated by the emulator)';
  return new OpenAiError(status, message, { type: 'server_error' });
}
