import type { FieldError } from '@visiona/shared';

/** Errors the domain raises on purpose; the error handler maps each to its status. */
export class AppError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    statusCode: number,
    code: string,
    message: string,
    opts: { details?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.statusCode = statusCode;
    this.code = code;
    this.details = opts.details;
    this.headers = opts.headers;
  }
}

export class ValidationFailed extends AppError {
  constructor(message: string, details?: FieldError[]) {
    super(400, 'validation_failed', message, details ? { details } : {});
  }
}

export class Unauthorized extends AppError {
  constructor(message = 'Sign in to continue: send a valid session or API token as `Authorization: Bearer <token>`.') {
    super(401, 'unauthorized', message, { headers: { 'www-authenticate': 'Bearer' } });
  }
}

export class Forbidden extends AppError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}

export class NotFound extends AppError {
  constructor(what = 'resource') {
    super(404, 'not_found', `No ${what} with that id exists, or it is not yours.`);
  }
}

export class Conflict extends AppError {
  constructor(message: string, details?: FieldError[]) {
    super(409, 'conflict', message, details ? { details } : {});
  }
}

export class PaymentRequired extends AppError {
  constructor(message: string) {
    super(402, 'payment_required', message);
  }
}

export class ServiceUnavailable extends AppError {
  constructor(message: string, retryAfterSeconds?: number) {
    super(503, 'unavailable', message, retryAfterSeconds ? { headers: { 'retry-after': String(retryAfterSeconds) } } : {});
  }
}

/** Postgres SQLSTATE of an error thrown by either driver, if any. */
export function sqlState(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}
