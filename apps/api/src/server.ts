import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { migrate, openDatabase } from './db/index.ts';
import { expireAllLeases } from './jobs/repository.ts';
import { loadOrCreateSecret } from './lib/secrets.ts';
import { createColumnCipher } from './lib/column-cipher.ts';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\nSee .env.example for every variable.\n`);
    process.exit(78);
  }
  throw err;
}

const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: config.databasePoolMax });
const applied = await migrate(db);
const sessionKey = await loadOrCreateSecret(config.sessionSecret, config.dataDir, 'session');
// The embedded default generates its column key into the data folder on first start.
const cipher = createColumnCipher(config.encryptionKeys ?? [{ id: 'local', key: await loadOrCreateSecret(null, config.dataDir, 'encryption') }]);
const app = await buildApp(config, { db, sessionKey, cipher });
if (applied.length > 0) app.log.info({ migrations: applied }, 'applied migrations');
// Embedded: no other process can hold the data folder, so jobs still marked running were
// left by a crash; take them over now rather than when their lease expires.
if (!config.databaseUrl) {
  const orphaned = await expireAllLeases(db);
  if (orphaned > 0) app.log.warn({ jobs: orphaned }, 'taking over jobs left running by a process that stopped abruptly');
}

// The private bucket must exist before the first upload; Storage may still be starting.
for (let attempt = 1; ; attempt++) {
  try {
    await app.storage.ensureBucket();
    break;
  } catch (err) {
    if (attempt >= 30) {
      app.log.error({ err, storage: config.storage.url }, 'storage is not reachable; check SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY');
      await db.close();
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  app.log.info({ signal }, 'shutting down: readiness fails, in-flight requests drain');
  app.lifecycle.shuttingDown = true;
  const force = setTimeout(() => {
    app.log.error('shutdown grace period elapsed; exiting');
    process.exit(1);
  }, config.shutdownGraceMs + 1000);
  force.unref();
  try {
    // Workers take no new job from now on; the running ones have the grace period to finish.
    const workers = app.jobs.stop(config.shutdownGraceMs);
    // Requests are still served while readiness fails, so that a load balancer moves away first.
    await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
    // Stops listening; in-flight requests finish (a `Prefer: wait` one answers at once).
    await app.close();
    await workers;
    await db.close();
    process.exit(0);
  } catch (err) {
    app.log.error({ err }, 'error during shutdown');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  await app.listen({ host: config.host, port: config.port });
  app.jobs.start();
  app.log.info(
    { database: config.databaseUrl ? 'postgres' : `pglite:${config.dataDir}` },
    `Visiona API ready on http://${config.host}:${app.server.address() && typeof app.server.address() === 'object' ? (app.server.address() as { port: number }).port : config.port}`,
  );
} catch (err) {
  app.log.error({ err }, 'failed to start');
  await db.close();
  process.exit(1);
}
