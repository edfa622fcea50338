import type { FastifyReply } from 'fastify';

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

/** An error answered in Stripe's shape: `{error: {type, code?, param?, message, doc_url?}}`. */
export class StripeApiError extends Error {
  readonly status: number;
  readonly type: StripeErrorType;
  readonly code: string | undefined;
  readonly param: string | undefined;
  readonly declineCode: string | undefined;
  constructor(status: number, type: StripeErrorType, message: string, extra: { code?: string; param?: string; declineCode?: string } = {}) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = extra.code;
    this.param = extra.param;
    this.declineCode = extra.declineCode;
  }

  toBody(): { error: Record<string, string> } {
    const error: Record<string, string> = {};
    if (this.code) error['code'] = this.code;
    if (this.declineCode) error['decline_code'] = this.declineCode;
    if (this.code) error['doc_url'] = `https://docs.stripe.com/error-codes/${this.code.replace(/_/g, '-')}`;
    error['message'] = this.message;
    if (this.param) error['param'] = this.param;
    error['type'] = this.type;
    return { error };
  }
}

export function sendError(reply: FastifyReply, err: StripeApiError): FastifyReply {
  return reply.code(err.status).type('application/json').send(JSON.stringify(err.toBody()));
}

/** `No such customer: 'cus_x'`: 404 for the resource in the path, 400 when a parameter names it. */
export function resourceMissing(kind: string, id: string, param?: string): StripeApiError {
  return new StripeApiError(param ? 400 : 404, 'invalid_request_error', `No such ${kind}: '${id}'`, { code: 'resource_missing', ...(param ? { param } : {}) });
}

export function parameterMissing(param: string): StripeApiError {
  return new StripeApiError(400, 'invalid_request_error', `Missing required param: ${param}.`, { code: 'parameter_missing', param });
}

/** Invalid value without a specific Stripe code (Stripe's enum and format messages carry none). */
export function invalidParam(param: string, message: string, code?: string): StripeApiError {
  return new StripeApiError(400, 'invalid_request_error', message, { param, ...(code ? { code } : {}) });
}

export function invalidRequest(message: string, param?: string): StripeApiError {
  return new StripeApiError(400, 'invalid_request_error', message, param ? { param } : {});
}

/** `sk_test_****wxyz`: Stripe never echoes a whole key. */
export function redactKey(key: string): string {
  const prefix = /^(sk|rk|pk)_(test|live)_/.exec(key)?.[0] ?? '';
  return `${prefix}****${key.length > prefix.length + 4 ? key.slice(-4) : ''}`;
}
