import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS } from './errors.ts';
import { assertBucketName, assertObjectKey } from './keys.ts';
import { signJwt, verifyJwt } from './signing.ts';
import type { DiskStore, ObjectMeta } from './store.ts';
import { receiveUpload } from './upload.ts';

export type ObjectRouteDeps = {
  store: DiskStore;
  jwtSecret: string;
  now: () => Date;
  maxFileSize: number;
};

const SIGNED_UPLOAD_TTL_S = 2 * 60 * 60;

type WildParams = { bucketName: string; '*': string };

function params(req: FastifyRequest): { bucket: string; key: string } {
  const p = req.params as WildParams;
  return { bucket: assertBucketName(p.bucketName), key: assertObjectKey(p['*']) };
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function listItem(m: ObjectMeta, name: string): Record<string, unknown> {
  return {
    name,
    id: m.id,
    updated_at: m.updated_at,
    created_at: m.created_at,
    last_accessed_at: m.last_accessed_at,
    metadata: m.metadata,
  };
}

function fullObject(m: ObjectMeta): Record<string, unknown> {
  return {
    bucket_id: m.bucket_id,
    name: m.name,
    owner: m.owner,
    owner_id: m.owner,
    version: m.version,
    id: m.id,
    updated_at: m.updated_at,
    created_at: m.created_at,
    last_accessed_at: m.last_accessed_at,
    metadata: m.metadata,
    user_metadata: m.user_metadata,
  };
}

function infoBody(m: ObjectMeta): Record<string, unknown> {
  return {
    id: m.id,
    version: m.version,
    name: m.name,
    bucket_id: m.bucket_id,
    created_at: m.created_at,
    updated_at: m.updated_at,
    last_accessed_at: m.last_accessed_at,
    size: m.metadata.size,
    cache_control: m.metadata.cacheControl,
    content_type: m.metadata.mimetype,
    etag: m.metadata.eTag,
    last_modified: m.metadata.lastModified,
    metadata: m.user_metadata,
  };
}

async function sendObject(store: DiskStore, req: FastifyRequest, reply: FastifyReply, bucket: string, key: string): Promise<FastifyReply> {
  await store.getBucket(bucket);
  const m = await store.getObject(bucket, key);
  const q = obj(req.query);
  reply
    .header('content-type', m.metadata.mimetype)
    .header('content-length', String(m.metadata.size))
    .header('cache-control', m.metadata.cacheControl)
    .header('etag', m.metadata.eTag)
    .header('last-modified', new Date(m.metadata.lastModified).toUTCString())
    .header('x-content-type-options', 'nosniff');
  if (typeof q.download === 'string') {
    const filename = q.download || key.split('/').pop() || 'download';
    reply.header('content-disposition', `attachment; filename=${encodeURIComponent(filename)};`);
  }
  if (req.method === 'HEAD') return reply.send();
  return reply.send(store.openObject(bucket, key));
}

/** Implements storage.search(): direct children of `prefix`, folders as items with null id. */
function listFolder(all: ObjectMeta[], body: Record<string, unknown>): Record<string, unknown>[] {
  if (typeof body.prefix !== 'string') throw ERRORS.invalidRequest("body must have required property 'prefix'");
  let prefix = body.prefix.replace(/^\/+/, '');
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  const search = typeof body.search === 'string' ? body.search.toLowerCase() : '';
  const limit = typeof body.limit === 'number' && body.limit >= 1 ? Math.floor(body.limit) : 100;
  const offset = typeof body.offset === 'number' && body.offset >= 0 ? Math.floor(body.offset) : 0;
  const sortBy = obj(body.sortBy);
  const column = typeof sortBy.column === 'string' ? sortBy.column : 'name';
  if (!['name', 'updated_at', 'created_at', 'last_accessed_at'].includes(column)) {
    throw ERRORS.invalidRequest('body/sortBy/column must be equal to one of the allowed values');
  }
  const dir = sortBy.order === 'desc' ? -1 : 1;

  const folders = new Set<string>();
  const files: Record<string, unknown>[] = [];
  for (const m of all) {
    if (!m.name.startsWith(prefix)) continue;
    const rest = m.name.slice(prefix.length);
    const slash = rest.indexOf('/');
    const name = slash >= 0 ? rest.slice(0, slash) : rest;
    if (search && !name.toLowerCase().startsWith(search)) continue;
    if (slash >= 0) folders.add(name);
    else files.push(listItem(m, name));
  }
  const items: Record<string, unknown>[] = [
    ...[...folders].map((name) => ({ name, id: null, updated_at: null, created_at: null, last_accessed_at: null, metadata: null })),
    ...files,
  ];
  items.sort((a, b) => {
    const av = a[column];
    const bv = b[column];
    if (column !== 'name' && av !== bv) {
      if (av === null) return -1;
      if (bv === null) return 1;
      return String(av) < String(bv) ? -dir : dir;
    }
    const an = String(a.name);
    const bn = String(b.name);
    return an === bn ? 0 : (an < bn ? -1 : 1) * (column === 'name' ? dir : 1);
  });
  return items.slice(offset, offset + limit);
}

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** GET plus an explicit HEAD (headers only, the file is never read). */
function getAndHead(app: FastifyInstance, url: string, a: Handler | { config: Record<string, unknown> }, b?: Handler): void {
  const handler = (typeof a === 'function' ? a : b) as Handler;
  const config = typeof a === 'function' ? {} : a.config;
  app.route({ method: ['GET', 'HEAD'], url, config, handler });
}

export function objectJsonRoutes(app: FastifyInstance, deps: ObjectRouteDeps): void {
  const { store, jwtSecret, now } = deps;

  const signedUrlFor = (bucket: string, key: string, expiresIn: number): string => {
    const iat = Math.floor(now().getTime() / 1000);
    const token = signJwt({ url: `${bucket}/${key}`, iat, exp: iat + expiresIn }, jwtSecret);
    return `/object/sign/${bucket}/${key}?token=${token}`;
  };

  const expiresInOf = (b: Record<string, unknown>): number => {
    const e = b.expiresIn;
    if (typeof e !== 'number' || !Number.isInteger(e) || e < 1) {
      throw ERRORS.invalidRequest('body/expiresIn must be >= 1');
    }
    return e;
  };

  // downloads (authenticated)
  getAndHead(app, '/object/authenticated/:bucketName/*', async (req, reply) => {
    const { bucket, key } = params(req);
    return sendObject(store, req, reply, bucket, key);
  });
  app.get('/object/info/:bucketName/*', async (req) => {
    const { bucket, key } = params(req);
    await store.getBucket(bucket);
    return infoBody(await store.getObject(bucket, key));
  });
  app.get('/object/info/authenticated/:bucketName/*', async (req) => {
    const { bucket, key } = params(req);
    await store.getBucket(bucket);
    return infoBody(await store.getObject(bucket, key));
  });
  getAndHead(app, '/object/:bucketName/*', async (req, reply) => {
    const { bucket, key } = params(req);
    return sendObject(store, req, reply, bucket, key);
  });

  // public downloads (no auth; bucket must be public)
  getAndHead(app, '/object/public/:bucketName/*', { config: { public: true } }, async (req, reply) => {
    const { bucket, key } = params(req);
    const b = await store.getBucket(bucket);
    if (!b.public) throw ERRORS.noSuchBucket();
    return sendObject(store, req, reply, bucket, key);
  });

  // signed URLs
  app.post('/object/sign/:bucketName/*', async (req) => {
    const { bucket, key } = params(req);
    const expiresIn = expiresInOf(obj(req.body));
    await store.getBucket(bucket);
    await store.getObject(bucket, key);
    return { signedURL: signedUrlFor(bucket, key, expiresIn) };
  });
  app.post('/object/sign/:bucketName', async (req) => {
    const bucket = assertBucketName((req.params as { bucketName: string }).bucketName);
    const b = obj(req.body);
    const expiresIn = expiresInOf(b);
    if (!Array.isArray(b.paths) || b.paths.length < 1 || b.paths.length > 1000 || b.paths.some((p) => typeof p !== 'string')) {
      throw ERRORS.invalidRequest('body/paths must be a non-empty array of strings (max 1000)');
    }
    await store.getBucket(bucket);
    const out: { error: string | null; path: string; signedURL: string | null }[] = [];
    for (const path of b.paths as string[]) {
      let found: ObjectMeta | null;
      try {
        found = await store.findObject(bucket, assertObjectKey(path));
      } catch {
        found = null;
      }
      out.push(
        found
          ? { error: null, path, signedURL: signedUrlFor(bucket, path, expiresIn) }
          : { error: 'Either the object does not exist or you do not have access to it', path, signedURL: null },
      );
    }
    return out;
  });
  getAndHead(app, '/object/sign/:bucketName/*', { config: { public: true } }, async (req, reply) => {
    const { bucket, key } = params(req);
    const token = obj(req.query).token;
    if (typeof token !== 'string' || token === '') throw ERRORS.invalidRequest("querystring must have required property 'token'");
    const payload = verifyJwt(token, jwtSecret, now());
    // an upload token is not a download credential
    if ('upsert' in payload) throw ERRORS.invalidJwt('invalid download token');
    if (payload.url !== `${bucket}/${key}`) throw ERRORS.invalidSignature('The url do not match the signature');
    return sendObject(store, req, reply, bucket, key);
  });

  // signed upload URLs (token valid for 2 hours, like the real default)
  app.post('/object/upload/sign/:bucketName/*', async (req) => {
    const { bucket, key } = params(req);
    await store.getBucket(bucket);
    const upsert = req.headers['x-upsert'] === 'true';
    if (!upsert && (await store.findObject(bucket, key))) throw ERRORS.keyAlreadyExists();
    const iat = Math.floor(now().getTime() / 1000);
    const token = signJwt({ owner: '', url: `${bucket}/${key}`, upsert, iat, exp: iat + SIGNED_UPLOAD_TTL_S }, jwtSecret);
    return { url: `/object/upload/sign/${bucket}/${key}?token=${token}`, token };
  });

  // listing
  app.post('/object/list/:bucketName', async (req) => {
    const bucket = assertBucketName((req.params as { bucketName: string }).bucketName);
    await store.getBucket(bucket);
    return listFolder(await store.listObjectMeta(bucket), obj(req.body));
  });

  // deletion
  app.delete('/object/:bucketName', async (req) => {
    const bucket = assertBucketName((req.params as { bucketName: string }).bucketName);
    const b = obj(req.body);
    if (!Array.isArray(b.prefixes) || b.prefixes.length < 1 || b.prefixes.length > 1000 || b.prefixes.some((p) => typeof p !== 'string')) {
      throw ERRORS.invalidRequest("body must have required property 'prefixes'");
    }
    await store.getBucket(bucket);
    const deleted: Record<string, unknown>[] = [];
    for (const p of b.prefixes as string[]) {
      let key: string;
      try {
        key = assertObjectKey(p.replace(/^\/+/, ''));
      } catch {
        continue;
      }
      const m = await store.deleteObject(bucket, key);
      if (m) deleted.push(fullObject(m));
    }
    return deleted;
  });
  app.delete('/object/:bucketName/*', async (req) => {
    const { bucket, key } = params(req);
    await store.getBucket(bucket);
    const m = await store.deleteObject(bucket, key);
    if (!m) throw ERRORS.noSuchKey();
    return { message: 'Successfully deleted' };
  });

  // move / copy
  const moveOrCopy = async (req: FastifyRequest, move: boolean): Promise<ObjectMeta> => {
    const b = obj(req.body);
    const fromBucket = assertBucketName(b.bucketId);
    const toBucket = b.destinationBucket === undefined || b.destinationBucket === null ? fromBucket : assertBucketName(b.destinationBucket);
    const fromKey = assertObjectKey(b.sourceKey);
    const toKey = assertObjectKey(b.destinationKey);
    await store.getBucket(fromBucket);
    const md = obj(b.metadata);
    return store.copyObject({
      fromBucket,
      fromKey,
      toBucket,
      toKey,
      move,
      upsert: req.headers['x-upsert'] === 'true',
      metadata:
        b.copyMetadata === false
          ? {
              ...(typeof md.cacheControl === 'string' ? { cacheControl: md.cacheControl } : {}),
              ...(typeof md.mimetype === 'string' ? { mimetype: md.mimetype } : {}),
            }
          : undefined,
    });
  };
  app.post('/object/move', async (req) => {
    await moveOrCopy(req, true);
    return { message: 'Successfully moved' };
  });
  app.post('/object/copy', async (req) => {
    const m = await moveOrCopy(req, false);
    return { Id: m.id, Key: `${m.bucket_id}/${m.name}`, ...fullObject(m) };
  });
}

/** Upload routes take the raw request stream; register them in a context without body parsers. */
export function objectUploadRoutes(app: FastifyInstance, deps: ObjectRouteDeps): void {
  const { store, maxFileSize, jwtSecret, now } = deps;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));

  const handler = (method: 'POST' | 'PUT') => async (req: FastifyRequest) => {
    const { bucket, key } = params(req);
    const b = await store.getBucket(bucket);
    if (method === 'PUT' && !(await store.findObject(bucket, key))) {
      req.raw.resume();
      throw ERRORS.noSuchKey();
    }
    const upsert = method === 'PUT' || req.headers['x-upsert'] === 'true';
    if (!upsert && (await store.findObject(bucket, key))) {
      req.raw.resume();
      throw ERRORS.keyAlreadyExists();
    }
    const up = await receiveUpload(req, store, b, maxFileSize);
    const m = await store.commitObject({ bucketId: bucket, key, upsert, ...up });
    return { Id: m.id, Key: `${bucket}/${key}` };
  };
  app.post('/object/:bucketName/*', handler('POST'));
  app.put('/object/:bucketName/*', handler('PUT'));

  // upload to a signed upload URL: no service auth, the token is the credential
  app.put('/object/upload/sign/:bucketName/*', { config: { public: true } }, async (req) => {
    const { bucket, key } = params(req);
    const token = obj(req.query).token;
    if (typeof token !== 'string' || token === '') throw ERRORS.invalidRequest("querystring must have required property 'token'");
    const payload = verifyJwt(token, jwtSecret, now());
    if (typeof payload.upsert !== 'boolean') throw ERRORS.invalidJwt('invalid upload token');
    if (payload.url !== `${bucket}/${key}`) throw ERRORS.invalidSignature('The url do not match the signature');
    const b = await store.getBucket(bucket);
    if (!payload.upsert && (await store.findObject(bucket, key))) {
      req.raw.resume();
      throw ERRORS.keyAlreadyExists();
    }
    const up = await receiveUpload(req, store, b, maxFileSize);
    const m = await store.commitObject({ bucketId: bucket, key, upsert: payload.upsert, ...up });
    return { Key: `${m.bucket_id}/${m.name}` };
  });
}
