/**
 * `pnpm backup`: dumps the database into BACKUP_DIR and prunes old dumps
 * (apps/api/src/ops/backup.ts). Reads .env like `pnpm start`, and the same DATA_DIR.
 */
import { backupCommand } from '../apps/api/src/ops/backup.ts';
import { ROOT, opsEnv } from './ops-env.ts';

process.exitCode = await backupCommand(process.argv.slice(2), opsEnv(), ROOT);
