import type { PhotoSourceFormat, PhotoWarning } from '@visiona/shared';
import type { Queryable } from '../../db/index.ts';

export interface PhotoRow {
  id: string;
  storage_path: string;
  thumb_path: string;
  original_name: string;
  source_format: PhotoSourceFormat;
  width: number;
  height: number;
  byte_size: number;
  dhash: string | null;
  warnings: PhotoWarning[];
  created_at: Date;
}

const COLUMNS = `id, storage_path, thumb_path, original_name, source_format, width, height, byte_size, dhash,
  coalesce(quality -> 'warnings', '[]'::jsonb) as warnings, created_at`;

/** Photos waiting for a training (not yet claimed by one), newest first. RLS scopes them to the caller. */
export async function listUnclaimed(tx: Queryable): Promise<PhotoRow[]> {
  const { rows } = await tx.query<PhotoRow>(`select ${COLUMNS} from photos where model_id is null order by created_at desc, id desc`);
  return rows;
}

export async function usage(tx: Queryable): Promise<{ count: number; bytes: number }> {
  const { rows } = await tx.query<{ count: number; bytes: number }>(
    'select count(*)::int as count, coalesce(sum(byte_size), 0)::bigint::float8 as bytes from photos where model_id is null',
  );
  return rows[0] ?? { count: 0, bytes: 0 };
}

export async function insertPhoto(
  tx: Queryable,
  p: { id: string; subject: string; storagePath: string; thumbPath: string; originalName: string; sourceFormat: string; width: number; height: number; byteSize: number; sha256: string; dhash: string; quality: unknown; uploadKey: string | null },
): Promise<PhotoRow> {
  const { rows } = await tx.query<PhotoRow>(
    // clock_timestamp(): the photos of one upload keep their order (now() is the same for the whole transaction).
    `insert into photos (id, owner_subject, storage_path, thumb_path, content_type, original_name, source_format, width, height, byte_size, sha256, dhash, quality, upload_key, created_at)
     values ($1, $2, $3, $4, 'image/jpeg', $5, $6, $7, $8, $9, $10, $11, $12, $13, clock_timestamp())
     returning ${COLUMNS}`,
    [p.id, p.subject, p.storagePath, p.thumbPath, p.originalName, p.sourceFormat, p.width, p.height, p.byteSize, p.sha256, p.dhash, JSON.stringify(p.quality), p.uploadKey],
  );
  return rows[0]!;
}

/** Deletes an unclaimed photo; a photo a training has claimed is not deletable here. */
export async function deleteUnclaimed(tx: Queryable, id: string): Promise<{ storage_path: string; thumb_path: string | null; claimed: boolean } | null> {
  const { rows } = await tx.query<{ storage_path: string; thumb_path: string | null; claimed: boolean }>(
    `with target as (select id, storage_path, thumb_path, model_id is not null as claimed from photos where id = $1),
          gone as (delete from photos p using target t where p.id = t.id and not t.claimed returning p.id)
     select storage_path, thumb_path, claimed from target`,
    [id],
  );
  return rows[0] ?? null;
}

/**
 * The photos an earlier upload with this Idempotency-Key stored (still waiting), in
 * upload order. Takes a transaction-scoped lock on the key first, so two racing
 * requests with the same key are decided one after the other.
 */
export async function lockUploadKey(tx: Queryable, subject: string, key: string): Promise<PhotoRow[]> {
  await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`photos:${subject}:${key}`]);
  const { rows } = await tx.query<PhotoRow>(`select ${COLUMNS} from photos where upload_key = $1 order by created_at, id`, [key]);
  return rows;
}
