import type { Config } from '../../config.ts';
import type { Database } from '../../db/index.ts';
import type { ObjectStorage } from '../../integrations/storage.ts';
import type { JobContext, JobQueue } from '../../jobs/queue.ts';
import { insertAudit } from '../auth/repository.ts';

/**
 * The privacy backstop: anything under a user's `trainings/` or `photos/` in
 * private storage that is older than the limit (48 h by default) and is not a
 * photo still waiting for a training is removed, whatever left it there (a crash
 * mid-upload, a purge that never ran, a deleted row); so is anything of a deleted account.
 */
export function registerStorageSweeper(deps: { db: Database; queue: JobQueue; storage: ObjectStorage; config: Config }): void {
  const { db, storage, config } = deps;

  /**
   * Objects of a user who no longer exists: what a job still running during an
   * account deletion stored after it (docs/decisions/0020). Objects are only ever
   * written for an existing user, so no age limit is needed.
   */
  async function removeOrphans(paths: string[], ctx: JobContext): Promise<void> {
    const ids = [...new Set(paths.map((p) => p.split('/')[1]!))];
    if (ids.length === 0) return;
    const { rows } = await db.query<{ id: string }>('select id::text as id from users where id::text = any($1::text[])', [ids]);
    const live = new Set(rows.map((r) => r.id));
    const orphans = paths.filter((p) => !live.has(p.split('/')[1]!));
    if (orphans.length === 0) return;
    await storage.remove(orphans);
    ctx.log.info({ removed: orphans.length }, 'storage sweep removed objects of deleted accounts');
  }

  async function sweep(ctx: JobContext): Promise<void> {
    const cutoff = Date.now() - config.jobs.sweepMaxAgeMs;
    const objects = await storage.listTree('users');
    await removeOrphans(objects.map((o) => o.path), ctx);
    const old = objects.filter((o) => o.createdAt && o.createdAt.getTime() < cutoff && /^users\/[^/]+\/(photos|trainings)\//.test(o.path));
    if (old.length === 0) return;
    const { rows } = await db.query<{ storage_path: string; thumb_path: string | null }>(
      'select storage_path, thumb_path from photos where model_id is null and (storage_path = any($1::text[]) or thumb_path = any($1::text[]))',
      [old.map((o) => o.path)],
    );
    const keep = new Set(rows.flatMap((r) => [r.storage_path, r.thumb_path]));
    const doomed = old.filter((o) => o.path.includes('/trainings/') || !keep.has(o.path));
    if (doomed.length === 0) return;
    await storage.remove(doomed.map((o) => o.path));
    const perUser = new Map<string, number>();
    for (const o of doomed) {
      const userId = o.path.split('/')[1]!;
      perUser.set(userId, (perUser.get(userId) ?? 0) + 1);
    }
    await db.transaction(async (tx) => {
      for (const [userId, count] of perUser) {
        const { rows: users } = await tx.query<{ auth_subject: string }>('select auth_subject from users where id::text = $1', [userId]);
        if (users[0]) await insertAudit(tx, users[0].auth_subject, 'storage.swept', { objects: count, olderThanHours: config.jobs.sweepMaxAgeMs / 3_600_000 });
      }
    });
    ctx.log.info({ removed: doomed.length }, 'storage sweep removed old training objects');
  }

  deps.queue.every('storage.sweep', config.jobs.sweepEveryMs, sweep, { timeoutMs: 10 * 60_000 });
}
