import type { Queryable } from '../../db/index.ts';
import type { ReplicateStatus } from '../../integrations/replicate.ts';

export interface ProgressDetail {
  percent: number;
  step: number | null;
  totalSteps: number | null;
  etaSeconds: number | null;
  updatedAt: string;
}

export interface ModelRow {
  id: string;
  owner_subject: string;
  name: string;
  trigger_word: string;
  status: 'Processing' | 'Ready' | 'Failed' | 'Canceled';
  parameters: Record<string, unknown>;
  replicate_model: string | null;
  training_id: string | null;
  replicate_version: string | null;
  replicate_status: ReplicateStatus | null;
  progress_detail: ProgressDetail | null;
  error: string | null;
  credits_cost: number;
  photo_count: number;
  zip_path: string | null;
  cancel_requested_at: Date | null;
  photos_purged_at: Date | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

const COLUMNS = `id, owner_subject, name, trigger_word, status, parameters, replicate_model, training_id, replicate_version,
  replicate_status, progress_detail, error, credits_cost, photo_count, zip_path, cancel_requested_at, photos_purged_at,
  created_at, updated_at, completed_at`;

export async function listModels(tx: Queryable): Promise<ModelRow[]> {
  return (await tx.query<ModelRow>(`select ${COLUMNS} from models order by created_at desc, id desc limit 200`)).rows;
}

export async function findModel(tx: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<ModelRow | undefined> {
  return (await tx.query<ModelRow>(`select ${COLUMNS} from models where id = $1${opts.forUpdate ? ' for update' : ''}`, [id])).rows[0];
}

export async function findByTrainingId(tx: Queryable, trainingId: string): Promise<ModelRow | undefined> {
  return (await tx.query<ModelRow>(`select ${COLUMNS} from models where training_id = $1 for update`, [trainingId])).rows[0];
}

export async function findByIdempotencyKey(tx: Queryable, key: string): Promise<ModelRow | undefined> {
  return (await tx.query<ModelRow>(`select ${COLUMNS} from models where idempotency_key = $1`, [key])).rows[0];
}

export async function insertModel(
  tx: Queryable,
  m: { id: string; subject: string; name: string; triggerWord: string; parameters: object; cost: number; idempotencyKey: string | null; photoCount: number },
): Promise<void> {
  await tx.query(
    `insert into models (id, owner_subject, name, trigger_word, parameters, credits_cost, idempotency_key, photo_count, progress, last_event_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, 0, now())`,
    [m.id, m.subject, m.name, m.triggerWord, JSON.stringify(m.parameters), m.cost, m.idempotencyKey, m.photoCount],
  );
}

export async function unclaimedPhotos(tx: Queryable): Promise<{ count: number; bytes: number }> {
  const { rows } = await tx.query<{ count: number; bytes: number }>(
    'select count(*)::int as count, coalesce(sum(byte_size), 0)::bigint::float8 as bytes from photos where model_id is null',
  );
  return rows[0] ?? { count: 0, bytes: 0 };
}

/** Claims the caller's `count` oldest waiting photos for this training; returns how many it got. */
export async function claimPhotos(tx: Queryable, modelId: string, count: number): Promise<number> {
  return (
    await tx.query(
      'update photos set model_id = $1 where id in (select id from photos where model_id is null order by created_at, id limit $2 for update)',
      [modelId, count],
    )
  ).rowCount;
}

export async function claimedPhotoPaths(tx: Queryable, modelId: string): Promise<{ id: string; storage_path: string; thumb_path: string | null }[]> {
  return (await tx.query<{ id: string; storage_path: string; thumb_path: string | null }>(
    'select id, storage_path, thumb_path from photos where model_id = $1 order by created_at, id',
    [modelId],
  )).rows;
}
