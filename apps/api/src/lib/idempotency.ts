import { ValidationFailed } from './errors.ts';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,200}$/;

/** The request's `Idempotency-Key`, checked: null when absent, a 400 when malformed. */
export function readIdempotencyKey(header: string | null | undefined): string | null {
  if (header === null || header === undefined) return null;
  if (!IDEMPOTENCY_KEY.test(header)) throw new ValidationFailed('Idempotency-Key must be 8–200 letters, digits or _.:- characters (a UUID works).');
  return header;
}
