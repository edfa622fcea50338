import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PublicConfig } from '@visiona/shared';
import type { Config } from './config.ts';
import type { Database } from './db/index.ts';
import type { Clock } from './lib/clock.ts';
import { systemClock } from './lib/clock.ts';
import type { App } from './lib/http.ts';
import authPlugin from './plugins/auth.ts';
import errorsPlugin, { sendFrameworkError } from './plugins/errors.ts';
import openapiPlugin from './plugins/openapi.ts';
import securityPlugin from './plugins/security.ts';
import sentryPlugin from './plugins/sentry.ts';
import { createSentryReporter } from './integrations/sentry.ts';
import { createClerkGateway } from './integrations/clerk.ts';
import authRoutes from './modules/auth/routes.ts';
import { createClerkUserService } from './modules/auth/clerk-users.ts';
import { createAuthService } from './modules/auth/service.ts';
import tokenRoutes from './modules/tokens/routes.ts';
import { createTokenService } from './modules/tokens/service.ts';
import webhookRoutes from './modules/webhooks/routes.ts';
import { createClerkWebhookService } from './modules/webhooks/clerk-service.ts';
import type { Authenticators } from './plugins/auth.ts';
import configRoutes from './modules/config/routes.ts';
import { createObjectStorage, type ObjectStorage } from './integrations/storage.ts';
import { createReplicateGateway, type ReplicateGateway } from './integrations/replicate.ts';
import { createJobQueue, type JobQueue } from './jobs/queue.ts';
import photoRoutes from './modules/photos/routes.ts';
import { createPhotoService, uploadLimits } from './modules/photos/service.ts';
import { registerStorageSweeper } from './modules/photos/sweeper.ts';
import modelRoutes from './modules/models/routes.ts';
import { createModelService } from './modules/models/service.ts';
import { registerTrainingJobs } from './modules/models/training-jobs.ts';
import { createReplicateWebhookService } from './modules/webhooks/replicate-service.ts';
import { createLlmGateway, type LlmGateway } from './integrations/llm.ts';
import generationRoutes from './modules/generations/routes.ts';
import { registerGenerationJobs } from './modules/generations/jobs.ts';
import { createGenerationService } from './modules/generations/service.ts';
import { createPromptEnhancer } from './modules/prompts/enhancer.ts';
import { PROMPT_MAX_LENGTH, TRAINING_DEFAULTS } from '@visiona/shared';
import healthRoutes, { type Lifecycle } from './modules/health/routes.ts';
import meRoutes from './modules/me/routes.ts';
import auditRoutes from './modules/audit/routes.ts';
import { createAuditService } from './modules/audit/service.ts';
import exportRoutes from './modules/export/routes.ts';
import { createExportService } from './modules/export/service.ts';
import { createStripeGateway, type StripeGateway } from './integrations/stripe.ts';
import { createPlanCatalog } from './modules/billing/plans.ts';
import billingRoutes from './modules/billing/routes.ts';
import { createBillingService } from './modules/billing/service.ts';
import { createStripeWebhookService } from './modules/webhooks/stripe-service.ts';
import { createMeService } from './modules/me/service.ts';
import { registerAccountDeletion } from './modules/account/deletion.ts';
import { registerKeyRotation } from './modules/account/key-rotation.ts';
import { createColumnCipher, ephemeralColumnKey, type ColumnCipher } from './lib/column-cipher.ts';

export type { Config } from './config.ts';
export { loadConfig } from './config.ts';

export interface Deps {
  db: Database;
  /** HMAC key for session tokens. */
  sessionKey: Buffer;
  clock?: Clock;
  /** Outside services; built from the configuration when absent. */
  storage?: ObjectStorage;
  replicate?: ReplicateGateway;
  llm?: LlmGateway;
  stripe?: StripeGateway;
  /** Encrypts the sensitive columns; server.ts passes the configured or generated keys. */
  cipher?: ColumnCipher;
}

export type VisionaApp = App & { lifecycle: Lifecycle; jobs: JobQueue; storage: ObjectStorage };

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export async function buildApp(config: Config, deps: Deps): Promise<VisionaApp> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
      ...(config.logPretty ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
    },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    frameworkErrors: sendFrameworkError,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>() as App;

  // A JSON API: anything but JSON (and multipart, where a route asks for it) is a 415.
  app.removeContentTypeParser('text/plain');

  const lifecycle: Lifecycle = { shuttingDown: false };
  // Shutting down: each answer closes its connection, so keep-alive clients reconnect (to
  // another replica) instead of reusing a socket that is about to close under a request.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (lifecycle.shuttingDown) reply.header('connection', 'close');
    done(null, payload);
  });
  const clock = deps.clock ?? systemClock;
  const authMode = config.clerk ? ('clerk' as const) : ('local' as const);
  const publicConfig: PublicConfig = {
    version: config.version,
    authMode,
    clerkPublishableKey: config.clerk?.publishableKey ?? null,
    embedded: config.databaseUrl === null,
    features: { promptEnhancement: true, billing: true, training: true },
    uploads: uploadLimits(config.uploads),
    training: { minPhotos: config.training.minPhotos, costCredits: config.training.costCredits, defaults: TRAINING_DEFAULTS },
    generation: { creditsPerImage: config.generation.creditsPerImage, promptMaxLength: PROMPT_MAX_LENGTH, maxWaitSeconds: config.generation.maxWaitSeconds },
    sentry: config.sentry.webDsn ? { dsn: config.sentry.webDsn, environment: config.sentry.environment, release: config.version } : null,
  };

  const signupCredits = config.credits.signupGrant;
  const auth = createAuthService({ db: deps.db, sessionKey: deps.sessionKey, sessionTtlHours: config.sessionTtlHours, clock, signupCredits });
  const tokens = createTokenService({ db: deps.db, clock });
  const authenticators: Authenticators = { apiToken: tokens.authenticate };
  const clerk = config.clerk ? await createClerkGateway(config.clerk) : null;
  if (clerk) {
    const clerkUsers = createClerkUserService({ db: deps.db, signupCredits, clerk });
    authenticators.clerk = clerkUsers.authenticate;
  } else {
    authenticators.session = auth.authenticateSession;
  }

  // Without keys (tests), an ephemeral one: what it encrypts is readable by this process only.
  const cipher = deps.cipher ?? createColumnCipher(config.encryptionKeys ?? [ephemeralColumnKey()]);
  const storage = deps.storage ?? createObjectStorage(config.storage);
  const replicate = deps.replicate ?? createReplicateGateway(config.replicate);
  // Only with a DSN is the Sentry SDK even loaded; it hears of 5xx answers and of jobs that failed for good.
  const reporter = config.sentry.dsn
    ? await createSentryReporter({ dsn: config.sentry.dsn, environment: config.sentry.environment, release: config.version })
    : null;
  const jobs = createJobQueue({
    db: deps.db,
    log: app.log,
    pollIntervalMs: config.jobs.pollMs,
    onFailure: reporter ? (err, job) => reporter.captureJobFailure(err, job) : undefined,
  });
  const me = createMeService({ db: deps.db, queue: jobs, authMode });
  const clerkWebhooks = createClerkWebhookService({ db: deps.db, queue: jobs, signupCredits });
  registerTrainingJobs({ db: deps.db, queue: jobs, storage, replicate, config, cipher });
  registerStorageSweeper({ db: deps.db, queue: jobs, storage, config });
  registerGenerationJobs({ db: deps.db, queue: jobs, storage, replicate, config, cipher });
  const enhancer = createPromptEnhancer({ llm: deps.llm ?? createLlmGateway(config.llm), maxChars: config.llm.maxPromptChars, timeoutMs: config.llm.timeoutMs });
  const stripe = deps.stripe ?? createStripeGateway(config.billing.stripe);
  registerAccountDeletion({ db: deps.db, queue: jobs, storage, replicate, stripe, config, cipher, clerk });
  registerKeyRotation({ db: deps.db, queue: jobs, cipher });
  const plans = createPlanCatalog({ config, stripe, clock });
  const billing = createBillingService({ db: deps.db, stripe, plans, config, clock, cipher });
  const stripeWebhooks = createStripeWebhookService({ db: deps.db, stripe, plans, clock, cipher });
  const generations = createGenerationService({ db: deps.db, storage, queue: jobs, enhancer, config, plans });
  const photos = createPhotoService({ db: deps.db, storage, config, clock });
  const models = createModelService({ db: deps.db, queue: jobs, config, plans });
  const replicateWebhooks = createReplicateWebhookService({ db: deps.db, queue: jobs, replicate, clock, secret: config.replicate.webhookSecret, cipher });

  // Order matters: errors, then auth (it hooks route registration), then security and docs, then routes.
  await app.register(errorsPlugin);
  if (reporter) await app.register(sentryPlugin, { reporter, beforeFlush: () => jobs.stop(config.shutdownGraceMs) });
  await app.register(authPlugin, { authenticators, failureLimit: { max: config.rateLimit.authFailureMax, windowMs: config.rateLimit.windowMs } });
  await app.register(securityPlugin, { config });
  await app.register(openapiPlugin, { config });

  await app.register(healthRoutes, { db: deps.db, lifecycle });
  await app.register(configRoutes, { publicConfig });
  await app.register(authRoutes, { auth, config, clerkMode: authMode === 'clerk' });
  await app.register(meRoutes, { me });
  await app.register(auditRoutes, { audit: createAuditService({ db: deps.db }) });
  await app.register(exportRoutes, { exports: createExportService({ db: deps.db, storage, clock }) });
  await app.register(tokenRoutes, { tokens });
  await app.register(photoRoutes, { photos, config });
  await app.register(modelRoutes, { models });
  await app.register(generationRoutes, { generations, enhancer, db: deps.db, config });
  await app.register(billingRoutes, { billing });
  await app.register(webhookRoutes, { config, clerkWebhooks, replicateWebhooks, stripeWebhooks });

  return Object.assign(app, { lifecycle, jobs, storage });
}
