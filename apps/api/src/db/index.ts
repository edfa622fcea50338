import path from 'node:path';
import type { Database } from './database.ts';
import { createPgliteDatabase } from './pglite.ts';
import { createPostgresDatabase } from './postgres.ts';

export * from './database.ts';
export { migrate } from './migrate.ts';

export async function openDatabase(opts: {
  databaseUrl: string | null;
  dataDir: string;
  poolMax: number;
}): Promise<Database> {
  if (opts.databaseUrl) return createPostgresDatabase(opts.databaseUrl, opts.poolMax);
  return createPgliteDatabase(path.join(opts.dataDir, 'pgdata'));
}
