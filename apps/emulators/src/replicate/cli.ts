/**
 * Standalone Replicate emulator.
 *
 *   REPLICATE_API_TOKEN=r8_dev node apps/emulators/src/replicate/cli.ts
 *
 * Env: REPLICATE_API_TOKEN (required), REPLICATE_EMULATOR_HOST (127.0.0.1),
 * REPLICATE_EMULATOR_PORT (8788), REPLICATE_EMULATOR_PUBLIC_URL (http://host:port),
 * REPLICATE_EMULATOR_SPEED (1), REPLICATE_WEBHOOK_SECRET (whsec_…, generated if unset).
 * Point the SDK at `<public url>/v1`.
 */
import { createReplicateEmulator } from './server.ts';

const env = process.env;
const apiToken = env['REPLICATE_API_TOKEN'];
if (!apiToken) {
  console.error('REPLICATE_API_TOKEN is required');
  process.exit(1);
}
const host = env['REPLICATE_EMULATOR_HOST'] ?? '127.0.0.1';
const port = Number(env['REPLICATE_EMULATOR_PORT'] ?? '8788');
const publicUrl = env['REPLICATE_EMULATOR_PUBLIC_URL'] ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
const speed = Number(env['REPLICATE_EMULATOR_SPEED'] ?? '1');

const emu = await createReplicateEmulator({
  apiToken,
  publicUrl,
  speed,
  logger: { level: env['LOG_LEVEL'] ?? 'info' },
  ...(env['REPLICATE_WEBHOOK_SECRET'] ? { webhookSecret: env['REPLICATE_WEBHOOK_SECRET'] } : {}),
});
await emu.app.listen({ host, port });
emu.app.log.info({ baseUrl: `${publicUrl}/v1`, speed }, 'replicate emulator ready');

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void emu.close().then(() => process.exit(0));
  });
}
