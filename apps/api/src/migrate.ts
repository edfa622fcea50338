/**
 * Applies pending migrations and exits: `node apps/api/src/migrate.ts`. The compose
 * file runs it once, as the `migrate` service, before any API replica starts, so a
 * failing migration stops a deployment in one place with one clear log. (Each replica
 * still runs the same idempotent step at start, under the advisory lock of migrate.ts,
 * which then finds nothing to do.)
 */
import { ConfigError, loadBackupConfig } from './config.ts';
import { DataDirInUse } from './db/pglite-lock.ts';
import { migrate, openDatabase } from './db/index.ts';

try {
  const { databaseUrl, dataDir } = loadBackupConfig();
  const db = await openDatabase({ databaseUrl, dataDir, poolMax: 1 });
  try {
    const applied = await migrate(db);
    process.stdout.write(applied.length > 0 ? `Applied migrations: ${applied.join(', ')}\n` : 'The database is up to date: no migration to apply.\n');
  } finally {
    await db.close();
  }
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\nSee .env.example for every variable.\n`);
    process.exit(78);
  }
  if (err instanceof DataDirInUse) {
    process.stderr.write(`${err.message}\n`);
    process.exit(75);
  }
  process.stderr.write(`Migrations failed and were rolled back (they run in one transaction): the database is as it was.\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
