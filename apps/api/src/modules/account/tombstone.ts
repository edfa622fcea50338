import type { Queryable } from '../../db/index.ts';

/**
 * A closed account leaves a tombstone that keeps only a SHA-256 of its subject:
 * enough to refuse a late Clerk webhook or a still-valid Clerk token, and nothing
 * that names the person (docs/decisions/0020).
 */
export const SUBJECT_HASH_SQL = (param: string) => `encode(sha256(convert_to(${param}, 'UTF8')), 'hex')`;

export async function isDeletedSubject(tx: Queryable, subject: string): Promise<boolean> {
  return (await tx.query(`select 1 from deleted_subjects where subject_sha256 = ${SUBJECT_HASH_SQL('$1')}`, [subject])).rowCount > 0;
}
