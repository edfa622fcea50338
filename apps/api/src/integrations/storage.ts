import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createClient } from '@supabase/supabase-js';
import type { Config } from '../config.ts';
import { ServiceUnavailable } from '../lib/errors.ts';

/** One object in a listed folder. */
export interface StoredObject {
  /** Full path in the bucket. */
  path: string;
  createdAt: Date | null;
  size: number;
}

/**
 * Visiona's private bucket, through supabase-js (Supabase Storage in production,
 * the Storage emulator offline). The only module that imports the SDK.
 */
export interface ObjectStorage {
  ensureBucket(): Promise<void>;
  /** Streams `body` to `path`; refuses to overwrite an existing object. */
  upload(path: string, body: Readable | Buffer, contentType: string): Promise<void>;
  signedUrl(path: string, ttlSeconds: number): Promise<string>;
  /**
   * Signed URLs for many objects, and when the first of them expires. A URL signed
   * earlier is reused while at least half of its lifetime is left, so a gallery page
   * does not wait on Storage each time it is shown.
   */
  signedUrls(paths: string[], ttlSeconds: number): Promise<{ urls: Map<string, string>; expiresAt: Date | null }>;
  /** The object's bytes as a stream, read through a short-lived signed URL. */
  openRead(path: string, signal?: AbortSignal): Promise<Readable>;
  /** Removes the objects at exactly these paths; missing ones are ignored. */
  remove(paths: string[]): Promise<void>;
  /** Every object under `prefix` (a folder path without trailing slash), recursively. */
  listTree(prefix: string): Promise<StoredObject[]>;
}

/**
 * A failed call to Storage. To a client it is a 503 with a generic message (the
 * detail stays in the logs); jobs retry it with backoff.
 */
export class StorageError extends ServiceUnavailable {
  readonly detail: string;
  /** Storage answered and refused (a 4xx, e.g. an object over its size limit): retrying will not help. */
  readonly permanent: boolean;
  constructor(operation: string, cause: { message: string; status?: number } | null) {
    super('File storage is not reachable right now. Nothing was lost; try again in a minute.', 30);
    this.detail = `storage ${operation} failed: ${cause?.message ?? 'unknown error'}`;
    this.permanent = typeof cause?.status === 'number' && cause.status >= 400 && cause.status < 500 && cause.status !== 408 && cause.status !== 429;
  }
}

/** Network failures (refused, reset, timed out) surface as a StorageError too. */
async function guard<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof StorageError) throw err;
    throw new StorageError(operation, { message: (err as Error).message });
  }
}

const PAGE = 1000;
const URL_CACHE_MAX = 50_000;

export function createObjectStorage(config: Config['storage'], opts: { timeoutMs?: number } = {}): ObjectStorage {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const client = createClient(config.url, config.serviceKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: {
      // Every call to Storage has a deadline, so a hung server cannot hold a request or a job forever.
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          // A streamed body (duplex) with redirects allowed makes Node's fetch keep a copy of
          // every chunk until the request ends; Storage never redirects an upload.
          ...(init && 'duplex' in init ? { redirect: 'error' as const } : {}),
          signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
        }),
    },
  });
  const bucket = () => client.storage.from(config.bucket);
  // Signed URLs by path: capabilities already handed to the object's owner, reused while fresh.
  const urlCache = new Map<string, { url: string; expiresAt: number; ttlSeconds: number }>();
  const absolute = (signed: string) => (signed.startsWith('http') ? signed : `${config.url}/storage/v1${signed}`);

  async function listFolder(prefix: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const { data, error } = await bucket().list(prefix, { limit: PAGE, offset, sortBy: { column: 'name', order: 'asc' } });
      if (error) throw new StorageError('list', error);
      for (const item of data) {
        const path = prefix ? `${prefix}/${item.name}` : item.name;
        if (item.id === null) out.push(...(await listFolder(path)));
        else out.push({ path, createdAt: item.created_at ? new Date(item.created_at) : null, size: Number(item.metadata?.['size'] ?? 0) });
      }
      if (data.length < PAGE) return out;
    }
  }

  const storage: ObjectStorage = {
    async ensureBucket() {
      const { data } = await client.storage.getBucket(config.bucket);
      if (data) {
        if (data.public) throw new Error(`Storage bucket "${config.bucket}" is public; Visiona needs a private bucket.`);
        return;
      }
      const { error } = await client.storage.createBucket(config.bucket, { public: false });
      if (error && !/already exists/i.test(error.message)) throw new StorageError('createBucket', error);
    },

    async upload(path, body, contentType) {
      const { error } = await bucket().upload(path, body, { contentType, upsert: false, cacheControl: '3600' });
      if (error) throw new StorageError('upload', error);
    },

    async signedUrl(path, ttlSeconds) {
      const { data, error } = await bucket().createSignedUrl(path, ttlSeconds);
      if (error || !data) throw new StorageError('createSignedUrl', error);
      return absolute(data.signedUrl);
    },

    async signedUrls(paths, ttlSeconds) {
      const now = Date.now();
      const urls = new Map<string, string>();
      let expiresAt = Number.POSITIVE_INFINITY;
      const missing: string[] = [];
      for (const path of new Set(paths)) {
        const cached = urlCache.get(path);
        if (cached && cached.ttlSeconds === ttlSeconds && cached.expiresAt - now > (ttlSeconds * 1000) / 2) {
          urls.set(path, cached.url);
          expiresAt = Math.min(expiresAt, cached.expiresAt);
        } else missing.push(path);
      }
      if (missing.length > 0) {
        const { data, error } = await bucket().createSignedUrls(missing, ttlSeconds);
        if (error || !data) throw new StorageError('createSignedUrls', error);
        const signedExpiry = now + ttlSeconds * 1000;
        for (const item of data) {
          if (!item.path || !item.signedUrl) continue;
          const url = absolute(item.signedUrl);
          urls.set(item.path, url);
          if (urlCache.size >= URL_CACHE_MAX) urlCache.delete(urlCache.keys().next().value!);
          urlCache.delete(item.path);
          urlCache.set(item.path, { url, expiresAt: signedExpiry, ttlSeconds });
          expiresAt = Math.min(expiresAt, signedExpiry);
        }
      }
      return { urls, expiresAt: Number.isFinite(expiresAt) ? new Date(expiresAt) : null };
    },

    async openRead(path, signal) {
      const url = await storage.signedUrl(path, 300);
      const res = await fetch(url, { signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs) });
      if (!res.ok || !res.body) throw new StorageError('download', { message: `HTTP ${res.status}`, status: res.status });
      return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
    },

    async remove(paths) {
      for (const path of paths) urlCache.delete(path);
      for (let i = 0; i < paths.length; i += PAGE) {
        const { error } = await bucket().remove(paths.slice(i, i + PAGE));
        if (error) throw new StorageError('remove', error);
      }
    },

    listTree: listFolder,
  };
  return {
    ensureBucket: () => guard('ensureBucket', () => storage.ensureBucket()),
    upload: (path, body, contentType) => guard('upload', () => storage.upload(path, body, contentType)),
    signedUrl: (path, ttl) => guard('createSignedUrl', () => storage.signedUrl(path, ttl)),
    signedUrls: (paths, ttl) => guard('createSignedUrls', () => storage.signedUrls(paths, ttl)),
    openRead: (path, signal) => guard('download', () => storage.openRead(path, signal)),
    remove: (paths) => guard('remove', () => storage.remove(paths)),
    listTree: (prefix) => guard('list', () => storage.listTree(prefix)),
  };
}
