/**
 * Standalone Stripe emulator.
 *
 *   STRIPE_SECRET_KEY=sk_test_dev node apps/emulators/src/stripe/cli.ts
 *
 * Env: STRIPE_SECRET_KEY (required), STRIPE_EMULATOR_HOST (127.0.0.1), STRIPE_EMULATOR_PORT
 * (8790), STRIPE_EMULATOR_PUBLIC_URL (http://host:port), STRIPE_WEBHOOK_URL (optional: the
 * webhook endpoint), STRIPE_WEBHOOK_SECRET (optional whsec_…, generated if unset),
 * STRIPE_EMULATOR_PRICES (optional JSON array of price seeds; default DEFAULT_PRICES),
 * STRIPE_EMULATOR_DATA_FILE (optional: a JSON file keeping customers, subscriptions, invoices,
 * events and endpoints across restarts; written after every change, loaded at start; without
 * it the state lives in memory only).
 * Point the SDK at it: `new Stripe(key, { host, port, protocol: 'http' })`.
 */
import { createStripeEmulator, DEFAULT_PRICES, type StripePriceSeed } from './server.ts';

const env = process.env;
function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const secretKey = env['STRIPE_SECRET_KEY'];
if (!secretKey) fail('STRIPE_SECRET_KEY is required');
const host = env['STRIPE_EMULATOR_HOST'] ?? '127.0.0.1';
const port = Number(env['STRIPE_EMULATOR_PORT'] ?? '8790');
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('STRIPE_EMULATOR_PORT must be a port number');
const publicUrl = env['STRIPE_EMULATOR_PUBLIC_URL'] ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
const webhookUrl = env['STRIPE_WEBHOOK_URL'];
const webhookSecret = env['STRIPE_WEBHOOK_SECRET'];
const dataFile = env['STRIPE_EMULATOR_DATA_FILE'] || undefined;
if (webhookSecret && !webhookSecret.startsWith('whsec_')) fail('STRIPE_WEBHOOK_SECRET must start with whsec_');
let prices: StripePriceSeed[] = [...DEFAULT_PRICES];
if (env['STRIPE_EMULATOR_PRICES']) {
  try {
    prices = JSON.parse(env['STRIPE_EMULATOR_PRICES']) as StripePriceSeed[];
  } catch {
    fail('STRIPE_EMULATOR_PRICES must be a JSON array of {id, productId, productName, unitAmount, currency, interval, lookupKey?}');
  }
}

let emu: Awaited<ReturnType<typeof createStripeEmulator>>;
try {
  emu = await createStripeEmulator({
    secretKey,
    publicUrl,
    prices,
    webhookEndpoints: webhookUrl ? [{ url: webhookUrl, ...(webhookSecret ? { secret: webhookSecret } : {}) }] : [],
    ...(dataFile ? { dataFile } : {}),
    logger: { level: env['LOG_LEVEL'] ?? 'info' },
  });
} catch (err) {
  fail(`stripe emulator: ${(err as Error).message}`);
}
await emu.app.listen({ host, port });
emu.app.log.info({ url: publicUrl, webhookUrl: webhookUrl ?? null, dataFile: dataFile ?? null, prices: prices.map((p) => p.id) }, 'stripe emulator ready');

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    // close() writes the last state to STRIPE_EMULATOR_DATA_FILE; a failure to do so is not a clean exit.
    void emu.close().then(
      () => process.exit(0),
      (err: unknown) => fail(`stripe emulator: ${(err as Error).message}`),
    );
  });
}
