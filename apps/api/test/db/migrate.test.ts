import { mkdtemp, writeFile, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/index.ts';
import { MIGRATIONS_DIR, readMigrations } from '../../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let t: TestDatabase | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('migration runner', () => {
  it('applies every migration once, records it, and is safe to run again', async () => {
    t = await createTestDatabase({ migrate: false });
    const all = await readMigrations();
    const first = await migrate(t.db);
    expect(first).toEqual(all.map((m) => `${m.version}_${m.name}`));
    const { rows } = await t.db.query<{ version: string }>('select version from schema_migrations order by version');
    expect(rows.map((r) => r.version)).toEqual(all.map((m) => m.version));
    expect(await migrate(t.db)).toEqual([]);
    const tables = await t.db.query<{ n: number }>(
      "select count(*)::int as n from pg_tables where schemaname = 'public' and tablename in ('users','photos','models','generations','payments','audit_logs')",
    );
    expect(tables.rows[0]!.n).toBe(6);
  });

  it('applies only what is pending, and refuses a migration edited after it ran', async () => {
    t = await createTestDatabase({ migrate: false });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'visiona-migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await migrate(t.db, dir);

    await writeFile(path.join(dir, '9000_add_column.sql'), 'alter table users add column nickname text;');
    expect(await migrate(t.db, dir)).toEqual(['9000_add_column']);

    await writeFile(path.join(dir, '9000_add_column.sql'), 'alter table users add column other text;');
    await expect(migrate(t.db, dir)).rejects.toThrow(/changed after it was applied/);
  });

  it('rolls back a failing migration entirely', async () => {
    t = await createTestDatabase({ migrate: false });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'visiona-migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await migrate(t.db, dir);
    await writeFile(path.join(dir, '9001_broken.sql'), 'create table half (id int); select * from no_such_table;');
    await expect(migrate(t.db, dir)).rejects.toThrow();
    const half = await t.db.query("select 1 from pg_tables where tablename = 'half'");
    expect(half.rowCount).toBe(0);
    const recorded = await t.db.query("select 1 from schema_migrations where version = '9001'");
    expect(recorded.rowCount).toBe(0);
  });
});

describe('migration runner on several replicas', () => {
  // PGlite has a single connection, so only a server can run migrations concurrently.
  it.runIf(Boolean(process.env.DATABASE_URL))('lets concurrent runners on an empty database apply everything exactly once', async () => {
    t = await createTestDatabase({ migrate: false });
    const { createPostgresDatabase } = await import('../../src/db/postgres.ts');
    const replicas = Array.from({ length: 4 }, () => createPostgresDatabase(t!.url!, 2));
    try {
      const results = await Promise.all(replicas.map((db) => migrate(db)));
      const applied = results.flat();
      const all = await readMigrations();
      expect(applied.sort()).toEqual(all.map((m) => `${m.version}_${m.name}`).sort());
    } finally {
      await Promise.all(replicas.map((db) => db.close()));
    }
  });
});
