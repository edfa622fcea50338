/**
 * `pnpm restore [<file>] --yes`: replaces the database with a backup made by
 * `pnpm backup` (apps/api/src/ops/restore.ts). Reads .env like `pnpm start`.
 */
import { restoreCommand } from '../apps/api/src/ops/restore.ts';
import { ROOT, opsEnv } from './ops-env.ts';

process.exitCode = await restoreCommand(process.argv.slice(2), opsEnv(), ROOT);
