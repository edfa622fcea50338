import path from 'node:path';
import { parseColumnKeys, type ColumnKey } from './lib/column-cipher.ts';

/**
 * The API's whole configuration, read from the environment exactly once.
 * Nothing else in apps/api reads `process.env`.
 */
export interface Config {
  env: 'development' | 'production' | 'test';
  version: string;
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  logPretty: boolean;
  /** Postgres server URL; `null` selects the embedded PGlite database in `dataDir`. */
  databaseUrl: string | null;
  databasePoolMax: number;
  dataDir: string;
  /** Origins allowed by CORS (the SPA's). */
  webOrigins: string[];
  trustProxy: boolean;
  /** HMAC key for session tokens; `null` means one is generated into `dataDir` on first start. */
  sessionSecret: string | null;
  /** Keys for the encrypted columns, the first one active; null: generated into DATA_DIR/secrets/. */
  encryptionKeys: ColumnKey[] | null;
  sessionTtlHours: number;
  rateLimit: { max: number; windowMs: number; authMax: number; authFailureMax: number };
  bodyLimitBytes: number;
  shutdownGraceMs: number;
  /** After SIGTERM, how long to keep serving with readiness failing before the listener closes (part of the grace). */
  shutdownDelayMs: number;
  /** Clerk as the identity provider; `null` means local accounts. */
  clerk: {
    secretKey: string;
    publishableKey: string;
    /** PEM public key: verification needs no network when set. */
    jwtKey: string | null;
    /** Origins allowed in a session token's `azp` claim. */
    authorizedParties: string[];
    /** Svix signing secret of the Clerk webhook endpoint (`whsec_…`). */
    webhookSecret: string | null;
  } | null;
  /** Public base URL of this API, where Replicate (and later Stripe) send webhooks. */
  publicApiUrl: string;
  /** Supabase Storage, through supabase-js (the local emulator by default). */
  storage: { url: string; serviceKey: string; bucket: string; signedUrlTtlSeconds: number };
  replicate: {
    apiToken: string;
    baseUrl: string;
    /** Standard Webhooks secret (`whsec_…`); `null`: fetched from `GET /v1/webhooks/default/secret` at start. */
    webhookSecret: string | null;
    trainer: { owner: string; name: string; version: string };
    /** Account or organisation that owns the destination models. */
    owner: string;
    timeoutMs: number;
  };
  uploads: {
    maxPhotos: number;
    maxFileBytes: number;
    maxRequestBytes: number;
    maxTotalBytes: number;
    maxZipEntries: number;
    maxPixels: number;
    minRecommendedSide: number;
  };
  training: {
    minPhotos: number;
    costCredits: number;
    /** Largest training zip: Storage's per-object limit (50 MB on Supabase by default). */
    maxZipBytes: number;
  };
  credits: { signupGrant: number };
  /** Plans and Stripe (the local Stripe emulator by default). */
  billing: {
    stripe: {
      secretKey: string;
      /** Base URL of Stripe's API: https://api.stripe.com, or the emulator. */
      apiUrl: string;
      /** Signing secret of the webhook endpoint (`whsec_…`). */
      webhookSecret: string;
      timeoutMs: number;
    };
    /** The first plan is the free plan everyone starts on (no price); the others are Stripe subscriptions. */
    plans: PlanConfig[];
  };
  generation: {
    creditsPerImage: number;
    /** Longest `Prefer: wait` honoured, in seconds. */
    maxWaitSeconds: number;
    /** Hosts outputs may be downloaded from (`*.` prefix matches subdomains). */
    outputHosts: string[];
    maxOutputBytes: number;
    downloadTimeoutMs: number;
  };
  /** OpenAI-compatible chat completions, for prompt enhancement. */
  llm: { baseUrl: string; apiKey: string; model: string; timeoutMs: number; maxPromptChars: number };
  jobs: {
    pollMs: number;
    /** First retry delay of a failed job; it doubles each attempt (with jitter). */
    retryBaseMs: number;
    /** A training with no news for this long is asked about by the reconciler. */
    reconcileAfterMs: number;
    reconcileEveryMs: number;
    sweepEveryMs: number;
    /** Anything left in private storage under trainings/ older than this is removed. */
    sweepMaxAgeMs: number;
  };
  /** Error reporting to Sentry; with no DSN at all, the SDK is never loaded. */
  sentry: SentryConfig;
}

export interface SentryConfig {
  /** The API's DSN (SENTRY_DSN); null: the API reports nothing. */
  dsn: string | null;
  /** The SPA's DSN (SENTRY_WEB_DSN), handed to it through GET /api/v1/config; null: the SPA reports nothing. */
  webDsn: string | null;
  environment: string;
}

export interface PlanConfig {
  id: string;
  name: string;
  description: string;
  /** Stripe price id of the subscription; null for the free plan. */
  priceId: string | null;
  monthlyCredits: number;
  limits: { maxModels: number; maxConcurrentGenerations: number; maxImagesPerGeneration: number };
}

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback: string): string {
  const v = env[name]?.trim();
  return v ? v : fallback;
}

function optional(env: Env, name: string): string | null {
  const v = env[name]?.trim();
  return v ? v : null;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function url(name: string, raw: string, protocols: string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return raw;
}

function trainerRef(raw: string): { owner: string; name: string; version: string } {
  const m = /^([a-z0-9][a-z0-9_.-]*)\/([a-z0-9][a-z0-9_.-]*):([0-9a-f]{64})$/i.exec(raw);
  if (!m) throw new ConfigError('REPLICATE_TRAINER', `must look like owner/name:<64-hex version>, got "${raw}"`);
  return { owner: m[1]!, name: m[2]!, version: m[3]! };
}

const MB = 1024 * 1024;
/** The seed's trainer: ostris/flux-dev-lora-trainer at the version the seed was written against. */
const DEFAULT_TRAINER = 'ostris/flux-dev-lora-trainer:b6af14222e6bd9be257cbc1ea4afda3cd0503e1133083b9d1de0364d8568e6ef';
/** Where `pnpm start` runs the Storage and Replicate emulators. */
export const LOCAL_STORAGE_URL = 'http://127.0.0.1:54329';
export const LOCAL_REPLICATE_URL = 'http://127.0.0.1:8788/v1';
export const LOCAL_SERVICE_KEY = 'visiona-local-service-key';
export const LOCAL_REPLICATE_TOKEN = 'r8_visiona_local_emulator';
export const LOCAL_LLM_URL = 'http://127.0.0.1:8789/v1';
export const LOCAL_LLM_KEY = 'sk-visiona-local-emulator';
export const LOCAL_STRIPE_URL = 'http://127.0.0.1:8790';
export const LOCAL_STRIPE_KEY = 'sk_test_visiona_local_emulator';
export const LOCAL_STRIPE_WEBHOOK_SECRET = 'whsec_visiona_local_emulator';
/** Price ids the Stripe emulator seeds by default (apps/emulators/src/stripe). */
export const LOCAL_PRICES = { premium: 'price_visiona_premium_monthly', pro: 'price_visiona_pro_monthly' } as const;

function defaultPlans(premiumPrice: string, proPrice: string): PlanConfig[] {
  return [
    {
      id: 'free',
      name: 'Free',
      description: 'Try Visiona: train your model and make your first portraits.',
      priceId: null,
      monthlyCredits: 0,
      limits: { maxModels: 1, maxConcurrentGenerations: 2, maxImagesPerGeneration: 2 },
    },
    {
      id: 'premium',
      name: 'Premium',
      description: 'For regular creators: fresh credits every month and room for more models.',
      priceId: premiumPrice,
      monthlyCredits: 1000,
      limits: { maxModels: 3, maxConcurrentGenerations: 4, maxImagesPerGeneration: 4 },
    },
    {
      id: 'pro',
      name: 'Pro',
      description: 'For professionals: the most credits, models and parallel generations.',
      priceId: proPrice,
      monthlyCredits: 3000,
      limits: { maxModels: 10, maxConcurrentGenerations: 8, maxImagesPerGeneration: 4 },
    },
  ];
}

/** `BILLING_PLANS`: a JSON array of plans, checked field by field so a mistake names itself. */
function parsePlans(raw: string): PlanConfig[] {
  const fail = (problem: string): never => {
    throw new ConfigError('BILLING_PLANS', problem);
  };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return fail('must be a JSON array of plans');
  }
  if (!Array.isArray(value) || value.length < 2) return fail('must be a JSON array of at least two plans: a free one first, then paid ones');
  const whole = (o: Record<string, unknown>, key: string, where: string, min: number, max: number): number => {
    const n = o[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) return fail(`${where}.${key} must be a whole number from ${min} to ${max}`);
    return n;
  };
  const plans = value.map((p: unknown, i): PlanConfig => {
    const where = `[${i}]`;
    if (typeof p !== 'object' || p === null) return fail(`${where} must be an object`);
    const o = p as Record<string, unknown>;
    if (typeof o.id !== 'string' || !/^[a-z][a-z0-9_-]{0,31}$/.test(o.id)) return fail(`${where}.id must be a lowercase id such as "premium"`);
    if (typeof o.name !== 'string' || !o.name.trim()) return fail(`${where}.name must be a non-empty string`);
    const priceId = o.priceId ?? null;
    if (i === 0 && priceId !== null) return fail('[0] is the free plan and must have "priceId": null');
    if (i > 0 && (typeof priceId !== 'string' || !/^price_[A-Za-z0-9_]+$/.test(priceId))) return fail(`${where}.priceId must be a Stripe price id (price_…)`);
    const limits = o.limits;
    if (typeof limits !== 'object' || limits === null) return fail(`${where}.limits must be an object`);
    const l = limits as Record<string, unknown>;
    return {
      id: o.id,
      name: o.name.trim(),
      description: typeof o.description === 'string' ? o.description : '',
      priceId: priceId as string | null,
      monthlyCredits: whole(o, 'monthlyCredits', where, 0, 10_000_000),
      limits: {
        maxModels: whole(l, 'maxModels', `${where}.limits`, 1, 10_000),
        maxConcurrentGenerations: whole(l, 'maxConcurrentGenerations', `${where}.limits`, 1, 1000),
        maxImagesPerGeneration: whole(l, 'maxImagesPerGeneration', `${where}.limits`, 1, 4),
      },
    };
  });
  const ids = new Set(plans.map((p) => p.id));
  const prices = new Set(plans.map((p) => p.priceId));
  if (ids.size !== plans.length || prices.size !== plans.length) fail('must not repeat a plan id or a price id');
  return plans;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');

  const databaseUrlRaw = optional(env, 'DATABASE_URL');
  const databaseUrl = databaseUrlRaw ? url('DATABASE_URL', databaseUrlRaw, ['postgres:', 'postgresql:']) : null;

  const webOrigins = str(env, 'WEB_ORIGIN', 'http://localhost:5173,http://127.0.0.1:5173')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
    .map((o) => new URL(url('WEB_ORIGIN', o, ['http:', 'https:'])).origin);

  const sessionSecret = optional(env, 'SESSION_SECRET');
  if (sessionSecret !== null && sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET', 'must be at least 32 characters');
  }
  if (nodeEnv === 'production' && databaseUrl && !sessionSecret) {
    throw new ConfigError('SESSION_SECRET', 'is required in production with DATABASE_URL (replicas must share it)');
  }

  const encryptionKeysRaw = optional(env, 'ENCRYPTION_KEYS');
  let encryptionKeys: ColumnKey[] | null = null;
  if (encryptionKeysRaw !== null) {
    try {
      encryptionKeys = parseColumnKeys(encryptionKeysRaw);
    } catch (err) {
      throw new ConfigError('ENCRYPTION_KEYS', (err as Error).message);
    }
    if (encryptionKeys.length === 0) throw new ConfigError('ENCRYPTION_KEYS', 'holds no key');
  }
  if (nodeEnv === 'production' && databaseUrl && !encryptionKeys) {
    throw new ConfigError('ENCRYPTION_KEYS', 'is required in production with DATABASE_URL (replicas must share it): id:base64key, e.g. k1:$(openssl rand -base64 32)');
  }

  const clerkSecretKey = optional(env, 'CLERK_SECRET_KEY');
  let clerk: Config['clerk'] = null;
  if (clerkSecretKey) {
    if (!/^sk_(test|live)_/.test(clerkSecretKey)) throw new ConfigError('CLERK_SECRET_KEY', 'must start with sk_test_ or sk_live_');
    const publishableKey = optional(env, 'CLERK_PUBLISHABLE_KEY');
    if (!publishableKey || !/^pk_(test|live)_[A-Za-z0-9+/=_-]+$/.test(publishableKey)) {
      throw new ConfigError('CLERK_PUBLISHABLE_KEY', 'must be set to your pk_test_… or pk_live_… key when CLERK_SECRET_KEY is set');
    }
    // Environment files often hold a PEM on one line with literal \n.
    const jwtKey = optional(env, 'CLERK_JWT_KEY')?.replaceAll('\\n', '\n') ?? null;
    if (jwtKey && !jwtKey.includes('-----BEGIN PUBLIC KEY-----')) {
      throw new ConfigError('CLERK_JWT_KEY', 'must be the PEM public key from the Clerk dashboard (-----BEGIN PUBLIC KEY-----)');
    }
    const webhookSecret = optional(env, 'CLERK_WEBHOOK_SIGNING_SECRET');
    if (webhookSecret && !webhookSecret.startsWith('whsec_')) {
      throw new ConfigError('CLERK_WEBHOOK_SIGNING_SECRET', 'must start with whsec_');
    }
    const parties = optional(env, 'CLERK_AUTHORIZED_PARTIES');
    clerk = {
      secretKey: clerkSecretKey,
      publishableKey,
      jwtKey,
      authorizedParties: parties
        ? parties.split(',').map((o) => new URL(url('CLERK_AUTHORIZED_PARTIES', o.trim(), ['http:', 'https:'])).origin)
        : webOrigins,
      webhookSecret,
    };
  }

  const port = int(env, 'PORT', 3000, 0, 65535);
  const production = nodeEnv === 'production';
  const storageUrlRaw = optional(env, 'SUPABASE_URL');
  const serviceKey = optional(env, 'SUPABASE_SERVICE_ROLE_KEY');
  if (storageUrlRaw && !serviceKey) throw new ConfigError('SUPABASE_SERVICE_ROLE_KEY', 'is required when SUPABASE_URL is set');
  if (production && !storageUrlRaw) throw new ConfigError('SUPABASE_URL', 'is required in production (your project URL, https://<ref>.supabase.co)');
  const replicateToken = optional(env, 'REPLICATE_API_TOKEN');
  if (production && !replicateToken) throw new ConfigError('REPLICATE_API_TOKEN', 'is required in production');
  const replicateSecret = optional(env, 'REPLICATE_WEBHOOK_SECRET');
  if (replicateSecret && !/^whsec_[A-Za-z0-9+/=]+$/.test(replicateSecret)) {
    throw new ConfigError('REPLICATE_WEBHOOK_SECRET', 'must look like whsec_… (from GET https://api.replicate.com/v1/webhooks/default/secret)');
  }
  const replicateBaseUrl = url('REPLICATE_BASE_URL', str(env, 'REPLICATE_BASE_URL', replicateToken ? 'https://api.replicate.com/v1' : LOCAL_REPLICATE_URL), ['http:', 'https:']).replace(/\/+$/, '');
  const llmKey = optional(env, 'LLM_API_KEY');
  const llmUrlRaw = optional(env, 'LLM_BASE_URL');
  if (production && !llmKey && !llmUrlRaw) throw new ConfigError('LLM_API_KEY', 'is required in production (or set LLM_BASE_URL to a server that needs no key, e.g. Ollama)');
  const stripeKey = optional(env, 'STRIPE_SECRET_KEY');
  if (stripeKey && !/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/.test(stripeKey)) throw new ConfigError('STRIPE_SECRET_KEY', 'must be a Stripe secret or restricted key (sk_test_…, sk_live_…, rk_…)');
  if (production && !stripeKey) throw new ConfigError('STRIPE_SECRET_KEY', 'is required in production');
  const stripeUrlRaw = optional(env, 'STRIPE_API_URL');
  /** Real Stripe: a key and no other API address. Then the webhook secret and the prices must be yours. */
  const realStripe = stripeKey !== null && stripeUrlRaw === null;
  const stripeWebhookSecret = optional(env, 'STRIPE_WEBHOOK_SECRET');
  if (stripeWebhookSecret && !stripeWebhookSecret.startsWith('whsec_')) throw new ConfigError('STRIPE_WEBHOOK_SECRET', 'must start with whsec_');
  if ((realStripe || production) && !stripeWebhookSecret) {
    throw new ConfigError('STRIPE_WEBHOOK_SECRET', 'is required with Stripe: the signing secret of your webhook endpoint (Dashboard → Developers → Webhooks)');
  }
  const plansRaw = optional(env, 'BILLING_PLANS');
  const premiumPrice = optional(env, 'STRIPE_PRICE_PREMIUM');
  const proPrice = optional(env, 'STRIPE_PRICE_PRO');
  if (realStripe && !plansRaw && (!premiumPrice || !proPrice)) {
    throw new ConfigError(premiumPrice ? 'STRIPE_PRICE_PRO' : 'STRIPE_PRICE_PREMIUM', 'is required with Stripe: the price id (price_…) of the plan in your Stripe account, or set BILLING_PLANS');
  }
  const publicApiUrl = url('PUBLIC_API_URL', str(env, 'PUBLIC_API_URL', `http://127.0.0.1:${port || 3000}`), ['http:', 'https:']).replace(/\/+$/, '');
  const minute = 60_000;
  const shutdownGraceMs = int(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 120_000);
  // Replicas (a database server) sit behind a load balancer that needs a moment to see
  // readiness fail; the embedded default is one process with nothing to route around it.
  const shutdownDelayMs = int(env, 'SHUTDOWN_DELAY_MS', databaseUrl ? Math.min(2000, Math.floor(shutdownGraceMs / 2)) : 0, 0, 60_000);
  if (shutdownDelayMs > shutdownGraceMs) throw new ConfigError('SHUTDOWN_DELAY_MS', `must not be longer than SHUTDOWN_GRACE_MS (${shutdownGraceMs}), of which it is a part`);

  return {
    env: nodeEnv,
    version: str(env, 'VISIONA_VERSION', '0.1.0'),
    host: str(env, 'HOST', '127.0.0.1'),
    port,
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'warn' : 'info'),
    logPretty: bool(env, 'LOG_PRETTY', Boolean(process.stdout.isTTY) && nodeEnv !== 'production'),
    databaseUrl,
    databasePoolMax: int(env, 'DATABASE_POOL_MAX', 10, 1, 200),
    dataDir: path.resolve(cwd, str(env, 'DATA_DIR', '.data')),
    webOrigins,
    trustProxy: bool(env, 'TRUST_PROXY', false),
    sessionSecret,
    encryptionKeys,
    sessionTtlHours: int(env, 'SESSION_TTL_HOURS', 24 * 14, 1, 24 * 365),
    rateLimit: {
      max: int(env, 'RATE_LIMIT_MAX', 600, 1, 1_000_000),
      windowMs: int(env, 'RATE_LIMIT_WINDOW_MS', 60_000, 1000, 3_600_000),
      authMax: int(env, 'AUTH_RATE_LIMIT_MAX', 10, 1, 10_000),
      authFailureMax: int(env, 'AUTH_FAILURE_LIMIT_MAX', 30, 1, 1_000_000),
    },
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    shutdownGraceMs,
    shutdownDelayMs,
    clerk,
    publicApiUrl,
    storage: {
      url: storageUrlRaw ? url('SUPABASE_URL', storageUrlRaw, ['http:', 'https:']).replace(/\/+$/, '') : LOCAL_STORAGE_URL,
      serviceKey: serviceKey ?? LOCAL_SERVICE_KEY,
      bucket: str(env, 'STORAGE_BUCKET', 'visiona-private'),
      signedUrlTtlSeconds: int(env, 'SIGNED_URL_TTL_SECONDS', 600, 10, 3600),
    },
    replicate: {
      apiToken: replicateToken ?? LOCAL_REPLICATE_TOKEN,
      baseUrl: replicateBaseUrl,
      webhookSecret: replicateSecret,
      trainer: trainerRef(str(env, 'REPLICATE_TRAINER', DEFAULT_TRAINER)),
      owner: str(env, 'REPLICATE_OWNER', 'visiona'),
      timeoutMs: int(env, 'REPLICATE_TIMEOUT_MS', 30_000, 1000, 300_000),
    },
    uploads: {
      maxPhotos: int(env, 'UPLOAD_MAX_PHOTOS', 50, 1, 1000),
      maxFileBytes: int(env, 'UPLOAD_MAX_FILE_BYTES', 25 * MB, 64 * 1024, 512 * MB),
      maxRequestBytes: int(env, 'UPLOAD_MAX_REQUEST_BYTES', 250 * MB, 64 * 1024, 4096 * MB),
      maxTotalBytes: int(env, 'UPLOAD_MAX_TOTAL_BYTES', 500 * MB, 1 * MB, 100_000 * MB),
      maxZipEntries: int(env, 'UPLOAD_MAX_ZIP_ENTRIES', 100, 1, 10_000),
      maxPixels: int(env, 'UPLOAD_MAX_PIXELS', 50_000_000, 1_000_000, 268_402_689),
      minRecommendedSide: int(env, 'UPLOAD_MIN_RECOMMENDED_SIDE', 512, 64, 4096),
    },
    training: {
      minPhotos: int(env, 'TRAINING_MIN_PHOTOS', 10, 1, 1000),
      costCredits: int(env, 'TRAINING_COST_CREDITS', 100, 0, 1_000_000),
      maxZipBytes: int(env, 'TRAINING_MAX_ZIP_BYTES', 50 * MB, 64 * 1024, 100_000 * MB),
    },
    credits: { signupGrant: int(env, 'SIGNUP_CREDITS', 150, 0, 1_000_000) },
    billing: {
      stripe: {
        secretKey: stripeKey ?? LOCAL_STRIPE_KEY,
        apiUrl: url('STRIPE_API_URL', stripeUrlRaw ?? (stripeKey ? 'https://api.stripe.com' : LOCAL_STRIPE_URL), ['http:', 'https:']).replace(/\/+$/, ''),
        webhookSecret: stripeWebhookSecret ?? LOCAL_STRIPE_WEBHOOK_SECRET,
        timeoutMs: int(env, 'STRIPE_TIMEOUT_MS', 10_000, 1000, 120_000),
      },
      plans: plansRaw ? parsePlans(plansRaw) : defaultPlans(premiumPrice ?? LOCAL_PRICES.premium, proPrice ?? LOCAL_PRICES.pro),
    },
    generation: {
      creditsPerImage: int(env, 'GENERATION_CREDITS_PER_IMAGE', 1, 0, 100_000),
      maxWaitSeconds: int(env, 'GENERATION_MAX_WAIT_SECONDS', 60, 1, 300),
      // Replicate serves outputs from replicate.delivery; the API's own Replicate host (the emulator offline) too.
      outputHosts: str(env, 'REPLICATE_OUTPUT_HOSTS', `replicate.delivery,*.replicate.delivery,${new URL(replicateBaseUrl).hostname}`)
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
      maxOutputBytes: int(env, 'GENERATION_MAX_OUTPUT_BYTES', 30 * MB, 1024, 512 * MB),
      downloadTimeoutMs: int(env, 'GENERATION_DOWNLOAD_TIMEOUT_MS', 30_000, 1000, 300_000),
    },
    llm: {
      baseUrl: url('LLM_BASE_URL', llmUrlRaw ?? (llmKey ? 'https://api.openai.com/v1' : LOCAL_LLM_URL), ['http:', 'https:']).replace(/\/+$/, ''),
      apiKey: llmKey ?? (llmUrlRaw ? 'none' : LOCAL_LLM_KEY),
      model: str(env, 'LLM_MODEL', 'gpt-4o'),
      timeoutMs: int(env, 'LLM_TIMEOUT_MS', 8000, 500, 120_000),
      maxPromptChars: int(env, 'LLM_MAX_PROMPT_CHARS', 600, 100, 2000),
    },
    jobs: {
      pollMs: int(env, 'JOBS_POLL_MS', 1000, 10, 60_000),
      retryBaseMs: int(env, 'JOBS_RETRY_BASE_MS', 5000, 10, 600_000),
      reconcileAfterMs: int(env, 'RECONCILE_AFTER_MS', 2 * minute, 100, 24 * 60 * minute),
      reconcileEveryMs: int(env, 'RECONCILE_EVERY_MS', minute, 100, 24 * 60 * minute),
      sweepEveryMs: int(env, 'SWEEP_EVERY_MS', 60 * minute, 100, 24 * 60 * minute),
      sweepMaxAgeMs: int(env, 'SWEEP_MAX_AGE_MS', 48 * 60 * minute, 1000, 30 * 24 * 60 * minute),
    },
    sentry: {
      dsn: sentryDsn('SENTRY_DSN', optional(env, 'SENTRY_DSN')),
      webDsn: sentryDsn('SENTRY_WEB_DSN', optional(env, 'SENTRY_WEB_DSN')),
      environment: str(env, 'SENTRY_ENVIRONMENT', nodeEnv),
    },
  };
}

/** A Sentry DSN: https://<public key>@<host>/<project id>. */
function sentryDsn(name: string, raw: string | null): string | null {
  if (raw === null) return null;
  const parsed = new URL(url(name, raw, ['http:', 'https:']));
  if (!parsed.username || !/^\/(.+\/)?\d+$/.test(parsed.pathname)) {
    throw new ConfigError(name, 'must be a Sentry DSN, https://<public key>@<host>/<project id> (Sentry → Project settings → Client Keys)');
  }
  return raw;
}

/** What `pnpm backup` and `pnpm restore` need: the database, where dumps go and how long they are kept. */
export interface BackupConfig {
  databaseUrl: string | null;
  dataDir: string;
  backupDir: string;
  retentionDays: number;
  /** Folder of pg_dump and pg_restore when they are not the ones on PATH. */
  pgBinDir: string | null;
  /** Whether the column keys come from ENCRYPTION_KEYS (else from DATA_DIR/secrets/). */
  encryptionKeysConfigured: boolean;
}

/** Only the backup's variables: the tools must work where the API's other settings are not set. */
export function loadBackupConfig(env: Env = process.env, cwd: string = process.cwd()): BackupConfig {
  const databaseUrlRaw = optional(env, 'DATABASE_URL');
  const dataDir = path.resolve(cwd, str(env, 'DATA_DIR', '.data'));
  const pgBinDir = optional(env, 'PG_BIN_DIR');
  return {
    databaseUrl: databaseUrlRaw ? url('DATABASE_URL', databaseUrlRaw, ['postgres:', 'postgresql:']) : null,
    dataDir,
    backupDir: path.resolve(cwd, str(env, 'BACKUP_DIR', path.join(dataDir, 'backups'))),
    retentionDays: int(env, 'BACKUP_RETENTION_DAYS', 30, 1, 36_500),
    pgBinDir: pgBinDir ? path.resolve(cwd, pgBinDir) : null,
    encryptionKeysConfigured: optional(env, 'ENCRYPTION_KEYS') !== null,
  };
}
