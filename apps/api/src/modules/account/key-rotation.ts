import type { Database } from '../../db/index.ts';
import type { ColumnCipher } from '../../lib/column-cipher.ts';
import type { JobContext, JobQueue } from '../../jobs/queue.ts';

/**
 * Keeps every encrypted column under the active key (docs/decisions/0020): values
 * written before encryption existed, or under a key that is no longer first in
 * ENCRYPTION_KEYS, are rewritten, with their blind index. It runs shortly after
 * each start and then every few hours, in batches; once it has run after a
 * rotation, the old key can be removed from the configuration.
 */
const COLUMNS: { table: string; key: string; column: string; index?: string }[] = [
  { table: 'models', key: 'id', column: 'replicate_model' },
  { table: 'models', key: 'id', column: 'replicate_version' },
  { table: 'billing_customers', key: 'owner_subject', column: 'stripe_customer_id', index: 'stripe_customer_index' },
  { table: 'subscriptions', key: 'id', column: 'stripe_customer_id' },
];
const BATCH = 500;

export async function rewrapColumns(db: Database, cipher: ColumnCipher): Promise<number> {
  let rewritten = 0;
  const current = `enc:v1:${cipher.activeKeyId}:%`;
  for (const c of COLUMNS) {
    for (;;) {
      const n = await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ k: string; v: string }>(
          `select ${c.key} as k, ${c.column} as v from ${c.table}
            where ${c.column} is not null and ${c.column} not like $1 order by ${c.key} limit ${BATCH} for update skip locked`,
          [current],
        );
        for (const r of rows) {
          const plain = cipher.decrypt(r.v);
          const sets = [`${c.column} = $2`, ...(c.index ? [`${c.index} = $3`] : [])];
          await tx.query(`update ${c.table} set ${sets.join(', ')} where ${c.key} = $1`, [r.k, cipher.encrypt(plain), ...(c.index ? [cipher.index(plain)] : [])]);
        }
        return rows.length;
      });
      rewritten += n;
      if (n < BATCH) break;
    }
  }
  return rewritten;
}

export function registerKeyRotation(deps: { db: Database; queue: JobQueue; cipher: ColumnCipher; everyMs?: number }): void {
  deps.queue.every(
    'encryption.rewrap',
    deps.everyMs ?? 6 * 3_600_000,
    async (ctx: JobContext) => {
      const n = await rewrapColumns(deps.db, deps.cipher);
      if (n > 0) ctx.log.info({ values: n, key: deps.cipher.activeKeyId }, 'encrypted columns rewritten under the active key');
    },
    { timeoutMs: 30 * 60_000, initialDelayMs: 5_000 },
  );
}
