import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { FastifyRequest } from 'fastify';
import { ERRORS, StorageHttpError } from './errors.ts';
import { mimeAllowed } from './keys.ts';
import { boundaryOf, parseMultipart } from './multipart.ts';
import type { Bucket, DiskStore } from './store.ts';

export type ReceivedUpload = {
  tmpPath: string;
  size: number;
  etag: string;
  mimetype: string;
  cacheControl: string;
  userMetadata: Record<string, unknown> | null;
};

function cacheControlHeader(v: string | undefined): string {
  if (!v) return 'max-age=3600';
  return /^\d+$/.test(v) ? `max-age=${v}` : v;
}

function decodeUserMetadata(raw: string | undefined, base64: boolean): Record<string, unknown> | null {
  if (!raw) return null;
  try {
    const json = base64 ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    const v: unknown = JSON.parse(json);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    throw ERRORS.invalidRequest('Invalid metadata');
  }
}

/** Writes chunks to a temp file, counting and hashing, failing as soon as `limit` is crossed. */
class LimitedSink {
  readonly path: string;
  size = 0;
  private readonly hash = createHash('md5');
  private readonly out: ReturnType<DiskStore['createTmpWriteStream']>;
  private readonly limit: number;

  constructor(store: DiskStore, limit: number) {
    this.path = store.tmpFile();
    this.out = store.createTmpWriteStream(this.path);
    this.limit = limit;
  }

  async write(chunk: Buffer): Promise<void> {
    this.size += chunk.length;
    if (this.size > this.limit) throw ERRORS.entityTooLarge();
    this.hash.update(chunk);
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  async close(): Promise<string> {
    this.out.end();
    await once(this.out, 'finish');
    return this.hash.digest('hex');
  }

  async abort(): Promise<void> {
    if (!this.out.closed) {
      const closed = once(this.out, 'close').catch(() => undefined);
      this.out.destroy();
      await closed;
    }
    await rm(this.path, { force: true });
  }
}

/**
 * Streams the request body (raw bytes, or the file part of a multipart form as sent by
 * storage-js for Blob/File/FormData bodies) to a temp file in the data dir.
 */
export async function receiveUpload(request: FastifyRequest, store: DiskStore, bucket: Bucket, globalLimit: number): Promise<ReceivedUpload> {
  const limit = bucket.file_size_limit !== null ? Math.min(bucket.file_size_limit, globalLimit) : globalLimit;
  const headers = request.headers;
  const reqType = String(headers['content-type'] ?? 'text/plain;charset=UTF-8');
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > limit && !reqType.toLowerCase().startsWith('multipart/form-data')) {
    throw ERRORS.entityTooLarge();
  }
  const raw = request.raw;

  if (reqType.toLowerCase().startsWith('multipart/form-data')) {
    const boundary = boundaryOf(reqType);
    if (!boundary) throw ERRORS.invalidRequest('Missing multipart boundary');
    const fields: Record<string, string> = {};
    let sink: LimitedSink | null = null;
    let mimetype = 'application/octet-stream';
    let sawFile = false;
    let inField: string | null = null;
    let fieldBuf = '';
    try {
      for await (const ev of parseMultipart(raw.iterator({ destroyOnReturn: false }), boundary)) {
        if (ev.type === 'part') {
          if (ev.filename !== null && !sawFile) {
            sawFile = true;
            mimetype = ev.contentType ?? 'application/octet-stream';
            if (!mimeAllowed(bucket.allowed_mime_types, mimetype)) throw ERRORS.invalidMimeType(mimetype);
            sink = new LimitedSink(store, limit);
            inField = null;
          } else {
            inField = ev.filename === null ? ev.name : null;
            fieldBuf = '';
          }
        } else if (ev.type === 'data') {
          if (sink && inField === null) await sink.write(ev.chunk);
          else if (inField !== null) {
            fieldBuf += ev.chunk.toString('utf8');
            if (fieldBuf.length > 64 * 1024) throw ERRORS.invalidRequest('Form field too large');
          }
        } else if (inField !== null) {
          fields[inField] = fieldBuf;
          inField = null;
        }
      }
      if (!sink) throw ERRORS.invalidRequest('No content provided');
      const etag = await sink.close();
      return {
        tmpPath: sink.path,
        size: sink.size,
        etag,
        mimetype,
        cacheControl: cacheControlHeader(fields.cacheControl),
        userMetadata: decodeUserMetadata(fields.metadata, false),
      };
    } catch (e) {
      await sink?.abort();
      raw.resume();
      if (e instanceof StorageHttpError) throw e;
      throw ERRORS.invalidRequest((e as Error).message);
    }
  }

  if (!mimeAllowed(bucket.allowed_mime_types, reqType)) {
    raw.resume();
    throw ERRORS.invalidMimeType(reqType);
  }
  const sink = new LimitedSink(store, limit);
  try {
    for await (const chunk of raw.iterator({ destroyOnReturn: false })) await sink.write(Buffer.from(chunk as Buffer));
    const etag = await sink.close();
    const cc = headers['cache-control'];
    const xm = headers['x-metadata'];
    return {
      tmpPath: sink.path,
      size: sink.size,
      etag,
      mimetype: reqType,
      cacheControl: typeof cc === 'string' && cc ? cc : 'no-cache',
      userMetadata: decodeUserMetadata(typeof xm === 'string' ? xm : undefined, true),
    };
  } catch (e) {
    await sink.abort();
    raw.resume();
    throw e;
  }
}
