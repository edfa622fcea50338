import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import type { ReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ERRORS } from './errors.ts';

export type Bucket = {
  id: string;
  name: string;
  owner: string;
  public: boolean;
  type: 'STANDARD';
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
  created_at: string;
  updated_at: string;
};

export type ObjectMeta = {
  id: string;
  version: string;
  bucket_id: string;
  name: string;
  owner: string;
  created_at: string;
  updated_at: string;
  last_accessed_at: string;
  metadata: {
    eTag: string;
    size: number;
    mimetype: string;
    cacheControl: string;
    lastModified: string;
    contentLength: number;
    httpStatusCode: number;
  };
  user_metadata: Record<string, unknown> | null;
};

/**
 * On-disk layout (all names are derived, never taken from the request):
 *   <dataDir>/buckets/<hex(bucketId)>/bucket.json
 *   <dataDir>/buckets/<hex(bucketId)>/objects/<sha256(key)>.bin   (bytes)
 *   <dataDir>/buckets/<hex(bucketId)>/objects/<sha256(key)>.json  (sidecar metadata)
 *   <dataDir>/tmp/<uuid>                                           (uploads in flight)
 */
export class DiskStore {
  readonly dataDir: string;
  private readonly now: () => Date;

  constructor(dataDir: string, now: () => Date) {
    this.dataDir = dataDir;
    this.now = now;
  }

  async init(): Promise<void> {
    await mkdir(join(this.dataDir, 'buckets'), { recursive: true });
    await mkdir(this.tmpDir(), { recursive: true });
  }

  tmpDir(): string {
    return join(this.dataDir, 'tmp');
  }

  tmpFile(): string {
    return join(this.tmpDir(), randomUUID());
  }

  private bucketDir(id: string): string {
    return join(this.dataDir, 'buckets', Buffer.from(id, 'utf8').toString('hex'));
  }

  private objectBase(bucketId: string, key: string): string {
    return join(this.bucketDir(bucketId), 'objects', createHash('sha256').update(key, 'utf8').digest('hex'));
  }

  private iso(): string {
    return this.now().toISOString();
  }

  // ---- buckets ----

  async listBuckets(): Promise<Bucket[]> {
    const dirs = await readdir(join(this.dataDir, 'buckets')).catch(() => [] as string[]);
    const out: Bucket[] = [];
    for (const d of dirs) {
      const raw = await readFile(join(this.dataDir, 'buckets', d, 'bucket.json'), 'utf8').catch(() => null);
      if (raw) out.push(JSON.parse(raw) as Bucket);
    }
    return out;
  }

  async findBucket(id: string): Promise<Bucket | null> {
    const raw = await readFile(join(this.bucketDir(id), 'bucket.json'), 'utf8').catch(() => null);
    return raw ? (JSON.parse(raw) as Bucket) : null;
  }

  async getBucket(id: string): Promise<Bucket> {
    const b = await this.findBucket(id);
    if (!b) throw ERRORS.noSuchBucket();
    return b;
  }

  async createBucket(input: Pick<Bucket, 'id' | 'name' | 'public' | 'file_size_limit' | 'allowed_mime_types'>): Promise<Bucket> {
    if (await this.findBucket(input.id)) throw ERRORS.bucketAlreadyExists();
    const ts = this.iso();
    const bucket: Bucket = { ...input, owner: '', type: 'STANDARD', created_at: ts, updated_at: ts };
    await mkdir(join(this.bucketDir(input.id), 'objects'), { recursive: true });
    await writeFile(join(this.bucketDir(input.id), 'bucket.json'), JSON.stringify(bucket));
    return bucket;
  }

  async updateBucket(id: string, patch: Partial<Pick<Bucket, 'public' | 'file_size_limit' | 'allowed_mime_types'>>): Promise<Bucket> {
    const b = await this.getBucket(id);
    const next: Bucket = { ...b, ...patch, updated_at: this.iso() };
    await writeFile(join(this.bucketDir(id), 'bucket.json'), JSON.stringify(next));
    return next;
  }

  async deleteBucket(id: string): Promise<void> {
    await this.getBucket(id);
    if ((await this.listObjectMeta(id)).length > 0) throw ERRORS.bucketNotEmpty();
    await rm(this.bucketDir(id), { recursive: true, force: true });
  }

  async emptyBucket(id: string): Promise<void> {
    await this.getBucket(id);
    await rm(join(this.bucketDir(id), 'objects'), { recursive: true, force: true });
    await mkdir(join(this.bucketDir(id), 'objects'), { recursive: true });
  }

  // ---- objects ----

  async listObjectMeta(bucketId: string): Promise<ObjectMeta[]> {
    const dir = join(this.bucketDir(bucketId), 'objects');
    const files = await readdir(dir).catch(() => [] as string[]);
    const out: ObjectMeta[] = [];
    for (const f of files) {
      if (!f.endsWith('.json')) continue;
      const raw = await readFile(join(dir, f), 'utf8').catch(() => null);
      if (raw) out.push(JSON.parse(raw) as ObjectMeta);
    }
    return out;
  }

  async findObject(bucketId: string, key: string): Promise<ObjectMeta | null> {
    const raw = await readFile(`${this.objectBase(bucketId, key)}.json`, 'utf8').catch(() => null);
    return raw ? (JSON.parse(raw) as ObjectMeta) : null;
  }

  async getObject(bucketId: string, key: string): Promise<ObjectMeta> {
    const o = await this.findObject(bucketId, key);
    if (!o) throw ERRORS.noSuchKey();
    return o;
  }

  openObject(bucketId: string, key: string): ReadStream {
    return createReadStream(`${this.objectBase(bucketId, key)}.bin`);
  }

  /** Moves a fully written temp file into place and writes its sidecar. */
  async commitObject(args: {
    bucketId: string;
    key: string;
    tmpPath: string;
    size: number;
    etag: string;
    mimetype: string;
    cacheControl: string;
    upsert: boolean;
    userMetadata: Record<string, unknown> | null;
  }): Promise<ObjectMeta> {
    const existing = await this.findObject(args.bucketId, args.key);
    if (existing && !args.upsert) {
      await rm(args.tmpPath, { force: true });
      throw ERRORS.keyAlreadyExists();
    }
    const ts = this.iso();
    const meta: ObjectMeta = {
      id: existing?.id ?? randomUUID(),
      version: randomUUID(),
      bucket_id: args.bucketId,
      name: args.key,
      owner: '',
      created_at: existing?.created_at ?? ts,
      updated_at: ts,
      last_accessed_at: ts,
      metadata: {
        eTag: `"${args.etag}"`,
        size: args.size,
        mimetype: args.mimetype,
        cacheControl: args.cacheControl,
        lastModified: ts,
        contentLength: args.size,
        httpStatusCode: 200,
      },
      user_metadata: args.userMetadata,
    };
    const base = this.objectBase(args.bucketId, args.key);
    await rename(args.tmpPath, `${base}.bin`);
    await writeFile(`${base}.json`, JSON.stringify(meta));
    return meta;
  }

  async deleteObject(bucketId: string, key: string): Promise<ObjectMeta | null> {
    const meta = await this.findObject(bucketId, key);
    if (!meta) return null;
    const base = this.objectBase(bucketId, key);
    await rm(`${base}.json`, { force: true });
    await rm(`${base}.bin`, { force: true });
    return meta;
  }

  async copyObject(args: {
    fromBucket: string;
    fromKey: string;
    toBucket: string;
    toKey: string;
    upsert: boolean;
    move: boolean;
    metadata?: { cacheControl?: string; mimetype?: string } | undefined;
  }): Promise<ObjectMeta> {
    const src = await this.getObject(args.fromBucket, args.fromKey);
    await this.getBucket(args.toBucket);
    const tmp = this.tmpFile();
    await copyFile(`${this.objectBase(args.fromBucket, args.fromKey)}.bin`, tmp);
    const size = (await stat(tmp)).size;
    const meta = await this.commitObject({
      bucketId: args.toBucket,
      key: args.toKey,
      tmpPath: tmp,
      size,
      etag: src.metadata.eTag.replace(/"/g, ''),
      mimetype: args.metadata?.mimetype ?? src.metadata.mimetype,
      cacheControl: args.metadata?.cacheControl ?? src.metadata.cacheControl,
      upsert: args.upsert,
      userMetadata: src.user_metadata,
    });
    if (args.move && !(args.fromBucket === args.toBucket && args.fromKey === args.toKey)) {
      await this.deleteObject(args.fromBucket, args.fromKey);
    }
    return meta;
  }

  createTmpWriteStream(path: string): ReturnType<typeof createWriteStream> {
    return createWriteStream(path, { flags: 'wx' });
  }
}
