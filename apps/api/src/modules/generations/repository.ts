import type { GenerationOptions } from '@visiona/shared';
import type { Queryable } from '../../db/index.ts';
import type { ReplicateStatus } from '../../integrations/replicate.ts';
import { cursorAt } from '../../lib/cursor.ts';

export interface ImageRow {
  id: string;
  idx: number;
  storage_path: string;
  thumb_path: string;
  content_type: string;
  width: number;
  height: number;
  byte_size: number;
  favorite: boolean;
}

export interface GenerationRow {
  id: string;
  /** created_at to the microsecond, for the keyset cursor. */
  cursor_at: string;
  owner_subject: string;
  model_id: string | null;
  model_name: string | null;
  prompt: string;
  enhanced_prompt: string | null;
  enhancement: 'none' | 'enhanced' | 'unavailable';
  preset_id: string | null;
  status: 'Processing' | 'Succeeded' | 'Failed' | 'Canceled';
  parameters: GenerationOptions;
  prediction_id: string | null;
  replicate_status: ReplicateStatus | null;
  progress: number | null;
  output_urls: string[] | null;
  error: string | null;
  credits_cost: number;
  created_at: Date;
  completed_at: Date | null;
  images: ImageRow[];
}

const COLUMNS = `g.id, g.owner_subject, g.model_id, g.model_name, g.prompt, g.enhanced_prompt, g.enhancement, g.preset_id, g.status,
  g.parameters, g.prediction_id, g.replicate_status, g.progress, g.output_urls, g.error, g.credits_cost, g.created_at, g.completed_at,
  ${cursorAt('g.created_at')} as cursor_at`;

/** A generation's images as a JSON array, in output order; `favoritesOnly` keeps the favourites. */
const images = (favoritesOnly: boolean) => `coalesce((
    select json_agg(json_build_object('id', i.id, 'idx', i.idx, 'storage_path', i.storage_path, 'thumb_path', i.thumb_path,
      'content_type', i.content_type, 'width', i.width, 'height', i.height, 'byte_size', i.byte_size, 'favorite', i.favorite) order by i.idx)
      from images i where i.generation_id = g.id${favoritesOnly ? ' and i.favorite' : ''}), '[]'::json) as images`;

export async function findGeneration(tx: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<GenerationRow | undefined> {
  const lock = opts.forUpdate ? ' for update of g' : '';
  return (await tx.query<GenerationRow>(`select ${COLUMNS}, ${images(false)} from generations g where g.id = $1${lock}`, [id])).rows[0];
}

export async function findByPredictionId(tx: Queryable, predictionId: string): Promise<GenerationRow | undefined> {
  return (await tx.query<GenerationRow>(`select ${COLUMNS}, ${images(false)} from generations g where g.prediction_id = $1 for update of g`, [predictionId])).rows[0];
}

export async function findByIdempotencyKey(tx: Queryable, key: string): Promise<GenerationRow | undefined> {
  return (await tx.query<GenerationRow>(`select ${COLUMNS}, ${images(false)} from generations g where g.idempotency_key = $1`, [key])).rows[0];
}

export interface ListFilter {
  limit: number;
  after: { createdAt: string; id: string } | null;
  modelId?: string | undefined;
  favorites?: boolean | undefined;
  status?: string | undefined;
}

/** The gallery: newest first, keyset-paginated on (created_at, id). RLS scopes it to the caller. */
export async function listGenerations(tx: Queryable, f: ListFilter): Promise<GenerationRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.after) {
    params.push(f.after.createdAt, f.after.id);
    where.push(`(g.created_at, g.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  if (f.modelId) add('g.model_id = ?', f.modelId);
  if (f.status) add('g.status = ?', f.status);
  if (f.favorites) where.push('exists (select 1 from images i where i.generation_id = g.id and i.favorite)');
  params.push(f.limit);
  const sql = `select ${COLUMNS}, ${images(Boolean(f.favorites))} from generations g
    ${where.length ? `where ${where.join(' and ')}` : ''}
    order by g.created_at desc, g.id desc limit $${params.length}`;
  return (await tx.query<GenerationRow>(sql, params)).rows;
}

export async function insertGeneration(
  tx: Queryable,
  g: {
    id: string;
    subject: string;
    modelId: string;
    modelName: string;
    prompt: string;
    enhancedPrompt: string | null;
    enhancement: GenerationRow['enhancement'];
    presetId: string | null;
    options: GenerationOptions;
    cost: number;
    idempotencyKey: string | null;
  },
): Promise<void> {
  await tx.query(
    `insert into generations (id, owner_subject, model_id, model_name, prompt, enhanced_prompt, enhancement, preset_id, parameters, credits_cost, idempotency_key, last_event_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())`,
    [g.id, g.subject, g.modelId, g.modelName, g.prompt, g.enhancedPrompt, g.enhancement, g.presetId, JSON.stringify(g.options), g.cost, g.idempotencyKey],
  );
}
