import { Type } from 'typebox';
import type { Config } from '../../config.ts';
import { verifyClerkWebhook } from '../../integrations/clerk.ts';
import { AppError, ValidationFailed } from '../../lib/errors.ts';
import type { App } from '../../lib/http.ts';
import { withErrors } from '../../lib/http.ts';
import type { ClerkWebhookService } from './clerk-service.ts';
import type { ReplicateWebhookService } from './replicate-service.ts';
import type { StripeWebhookService } from './stripe-service.ts';

// Providers may send large payloads; QUALITY.md asks for at least 10 MB.
const WEBHOOK_BODY_LIMIT = 12 * 1024 * 1024;

const WebhookAck = Type.Object(
  { received: Type.Literal(true), outcome: Type.Union([Type.Literal('processed'), Type.Literal('duplicate'), Type.Literal('ignored')]) },
  { additionalProperties: false },
);

export default async function webhookRoutes(app: App, opts: { config: Config; clerkWebhooks: ClerkWebhookService; replicateWebhooks: ReplicateWebhookService; stripeWebhooks: StripeWebhookService }) {
  // Signatures are computed over the exact bytes: keep the body raw in this scope.
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );

  app.post(
    '/api/v1/webhooks/clerk',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT,
      config: { public: true, rateLimit: false },
      schema: {
        tags: ['webhooks'],
        operationId: 'receiveClerkWebhook',
        summary: 'Clerk user events (Svix-signed): user.created, user.updated, user.deleted.',
        description: 'Authenticated by its Svix signature (`svix-id`, `svix-timestamp`, `svix-signature`) over the raw body.',
        response: withErrors({ 200: WebhookAck }),
      },
    },
    async (request) => {
      const secret = opts.config.clerk?.webhookSecret;
      if (!secret) {
        throw new AppError(404, 'not_enabled', 'Clerk webhooks are not enabled on this server (CLERK_WEBHOOK_SIGNING_SECRET is not set).');
      }
      const raw = typeof request.body === 'string' ? request.body : '';
      const verified = await verifyClerkWebhook(secret, raw, request.headers);
      if (!verified) {
        throw new AppError(400, 'invalid_signature', 'Webhook signature, timestamp or headers are invalid.');
      }
      if (typeof verified.event.type !== 'string' || typeof verified.event.data !== 'object' || verified.event.data === null) {
        throw new ValidationFailed('Webhook payload is not a Clerk event.');
      }
      const outcome = await opts.clerkWebhooks.handle(verified.id, verified.event);
      request.log.info({ provider: 'clerk', eventId: verified.id, type: verified.event.type, outcome }, 'webhook');
      return { received: true as const, outcome };
    },
  );

  app.post(
    '/api/v1/webhooks/replicate',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT,
      config: { public: true, rateLimit: false },
      schema: {
        tags: ['webhooks'],
        operationId: 'receiveReplicateWebhook',
        summary: 'Replicate training events (Standard Webhooks): start, logs, output, completed.',
        description:
          'Authenticated by its signature (`webhook-id`, `webhook-timestamp`, `webhook-signature`) over the raw body, within 5 minutes. ' +
          'Each `webhook-id` is processed once; a training’s state only moves forward.',
        response: withErrors({ 200: WebhookAck }),
      },
    },
    async (request) => {
      const raw = typeof request.body === 'string' ? request.body : '';
      const outcome = await opts.replicateWebhooks.handle(raw, request.headers);
      request.log.info({ provider: 'replicate', eventId: request.headers['webhook-id'], outcome }, 'webhook');
      return { received: true as const, outcome };
    },
  );

  app.post(
    '/api/v1/webhooks/stripe',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT,
      config: { public: true, rateLimit: false },
      schema: {
        tags: ['webhooks'],
        operationId: 'receiveStripeWebhook',
        summary: 'Stripe billing events: checkout, subscriptions and invoices.',
        description:
          'Authenticated by `Stripe-Signature` over the raw body (within 5 minutes). Each event id is processed once, in the same transaction as its effects; ' +
          'subscriptions and invoices are re-read from Stripe, so events may come in any order. Credits are granted only here, once per invoice.',
        headers: Type.Object({ 'stripe-signature': Type.Optional(Type.String()) }),
        response: withErrors({ 200: WebhookAck }),
      },
    },
    async (request) => {
      const raw = typeof request.body === 'string' ? request.body : '';
      const signature = request.headers['stripe-signature'];
      const outcome = await opts.stripeWebhooks.handle(raw, typeof signature === 'string' ? signature : undefined);
      request.log.info({ provider: 'stripe', outcome }, 'webhook');
      return { received: true as const, outcome };
    },
  );
}
