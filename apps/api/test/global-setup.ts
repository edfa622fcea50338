import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { migrate } from '../src/db/migrate.ts';
import { wrapPglite } from '../src/db/pglite.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string | null;
    pgliteEmptyTemplate: string | null;
  }
}

/**
 * On embedded PGlite, build one migrated database and dump it; each test file
 * starts from a copy in about a second instead of running initdb and the
 * migrations again. On a Postgres server each file gets its own database.
 */
export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide('pgliteTemplate', null);
    project.provide('pgliteEmptyTemplate', null);
    return;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'visiona-pglite-'));
  const pg = await PGlite.create();
  const save = async (name: string) => {
    const file = path.join(dir, name);
    await writeFile(file, Buffer.from(await (await pg.dumpDataDir('none')).arrayBuffer()));
    return file;
  };
  project.provide('pgliteEmptyTemplate', await save('empty.tar'));
  await migrate(wrapPglite(pg));
  project.provide('pgliteTemplate', await save('migrated.tar'));
  await pg.close();
  return async () => rm(dir, { recursive: true, force: true });
}
