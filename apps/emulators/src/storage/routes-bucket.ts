import type { FastifyInstance } from 'fastify';
import { ERRORS } from './errors.ts';
import { assertBucketName, parseFileSizeLimit } from './keys.ts';
import type { Bucket, DiskStore } from './store.ts';

type Body = Record<string, unknown>;

function body(v: unknown): Body {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  return v as Body;
}

function mimeList(v: unknown): string[] | null {
  if (v === null || v === undefined) return null;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw ERRORS.invalidRequest('body/allowed_mime_types must be array');
  }
  return v as string[];
}

export function bucketRoutes(app: FastifyInstance, store: DiskStore): void {
  app.post('/bucket', async (req) => {
    const b = body(req.body);
    const name = assertBucketName(b.name ?? b.id);
    const id = b.id === undefined ? name : assertBucketName(b.id);
    if (b.public !== undefined && typeof b.public !== 'boolean') throw ERRORS.invalidRequest('body/public must be boolean');
    await store.createBucket({
      id,
      name,
      public: b.public === true,
      file_size_limit: parseFileSizeLimit(b.file_size_limit),
      allowed_mime_types: mimeList(b.allowed_mime_types),
    });
    return { name: id };
  });

  app.get('/bucket', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    let list = await store.listBuckets();
    if (q.search) {
      const s = q.search.toLowerCase();
      list = list.filter((b) => b.name.toLowerCase().includes(s));
    }
    const col = (['id', 'name', 'created_at', 'updated_at'].includes(q.sortColumn ?? '') ? q.sortColumn : 'name') as keyof Bucket;
    const dir = q.sortOrder === 'desc' ? -1 : 1;
    list.sort((a, b) => String(a[col]).localeCompare(String(b[col])) * dir);
    const offset = Math.max(0, Number(q.offset ?? 0) || 0);
    const limit = q.limit !== undefined ? Math.max(1, Number(q.limit) || 1) : list.length;
    return list.slice(offset, offset + limit);
  });

  app.get('/bucket/:bucketId', async (req) => {
    const { bucketId } = req.params as { bucketId: string };
    return store.getBucket(bucketId);
  });

  app.put('/bucket/:bucketId', async (req) => {
    const { bucketId } = req.params as { bucketId: string };
    const b = body(req.body);
    const patch: Partial<Pick<Bucket, 'public' | 'file_size_limit' | 'allowed_mime_types'>> = {};
    if (typeof b.public === 'boolean') patch.public = b.public;
    if ('file_size_limit' in b) patch.file_size_limit = parseFileSizeLimit(b.file_size_limit);
    if ('allowed_mime_types' in b) patch.allowed_mime_types = mimeList(b.allowed_mime_types);
    await store.updateBucket(bucketId, patch);
    return { message: 'Successfully updated' };
  });

  app.post('/bucket/:bucketId/empty', async (req) => {
    const { bucketId } = req.params as { bucketId: string };
    await store.emptyBucket(bucketId);
    return { message: 'Successfully emptied' };
  });

  app.delete('/bucket/:bucketId', async (req) => {
    const { bucketId } = req.params as { bucketId: string };
    await store.deleteBucket(bucketId);
    return { message: 'Successfully deleted' };
  });
}
