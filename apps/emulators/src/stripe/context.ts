import type { FastifyRequest } from 'fastify';
import type { Billing, Origin } from './billing.ts';
import { Params } from './params.ts';
import type { Store } from './store.ts';
import type { WebhookDispatcher } from './webhooks.ts';

export interface StripeContext {
  store: Store;
  billing: Billing;
  webhooks: WebhookDispatcher;
  publicUrl: string;
  /** Says the state changed outside a request (control methods): with a data file, a save follows. */
  changed(): void;
}

/** The request's parameters: the form body for POST, the query string for GET and DELETE (as stripe-node sends them). */
export function paramsOf(req: FastifyRequest): Params {
  return new Params(req.method === 'POST' ? req.body : req.query);
}

export function originOf(req: FastifyRequest): Origin {
  const key = req.headers['idempotency-key'];
  return { requestId: req.id, idempotencyKey: typeof key === 'string' ? key : null };
}

export function idParam(req: FastifyRequest, name = 'id'): string {
  return (req.params as Record<string, string>)[name] ?? '';
}
