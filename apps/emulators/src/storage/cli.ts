import { resolve } from 'node:path';
import { createStorageEmulator } from './server.ts';

const port = Number(process.env.STORAGE_EMULATOR_PORT ?? 54329);
const host = process.env.STORAGE_EMULATOR_HOST ?? '127.0.0.1';
const dataDir = resolve(process.env.STORAGE_EMULATOR_DATA_DIR ?? '.data/storage');
const serviceKey = process.env.STORAGE_EMULATOR_SERVICE_KEY ?? process.env.SUPABASE_SERVICE_ROLE_KEY ?? 'dev-service-key';
const jwtSecret = process.env.STORAGE_EMULATOR_JWT_SECRET;

const app = await createStorageEmulator({ dataDir, serviceKey, logger: { level: process.env.LOG_LEVEL ?? 'info' }, ...(jwtSecret ? { jwtSecret } : {}) });
const address = await app.listen({ port, host });
app.log.info(`storage emulator at ${address}/storage/v1 (data: ${dataDir})`);

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void app.close().then(() => process.exit(0));
  });
}
