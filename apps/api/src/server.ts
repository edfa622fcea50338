import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { migrate, openDatabase } from './db/index.ts';
import { loadOrCreateSecret } from './lib/secrets.ts';

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
const app = await buildApp(config, { db, sessionKey });
if (applied.length > 0) app.log.info({ migrations: applied }, 'applied migrations');

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
    await app.close();
    await app.jobs.stop(config.shutdownGraceMs);
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
