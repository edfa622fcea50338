import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_KEY, startEmulator } from './helpers.ts';
import type { Harness } from './helpers.ts';
import { SpecValidator } from './openapi.ts';

let h: Harness;
const spec = new SpecValidator();
const covered: string[] = [];

beforeAll(async () => {
  h = await startEmulator({ maxFileSize: 64 * 1024 });
});
afterAll(async () => {
  await h.close();
});

type CallOpts = { body?: unknown; raw?: Buffer | string; contentType?: string; headers?: Record<string, string>; auth?: boolean };

/** Calls the emulator, validates the JSON body against the spec operation, returns status + body. */
async function call(
  method: string,
  template: string,
  path: string,
  opts: CallOpts = {},
): Promise<{ status: number; body: unknown; key: string }> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.auth !== false) {
    headers.authorization = `Bearer ${SERVICE_KEY}`;
    headers.apikey = SERVICE_KEY;
  }
  let body: string | Buffer | undefined;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] = opts.contentType ?? 'application/octet-stream';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${h.url}/storage/v1${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  const key = spec.responseKey(method, template, res.status);
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (spec.hasJsonSchema(method, template, res.status)) {
    const errors = spec.validate(method, template, res.status, parsed);
    expect(errors, `${method} ${path} → ${res.status} ${text}`).toEqual([]);
    covered.push(`${method} ${template} ${key}`);
  }
  return { status: res.status, body: parsed, key };
}

describe('emulator responses conform to the Supabase Storage OpenAPI document', () => {
  it('the validator itself rejects non-conforming bodies', () => {
    expect(spec.validate('GET', '/bucket/{bucketId}', 400, { statusCode: '404', error: 'x', message: 'y' })).not.toEqual([]);
    expect(spec.validate('GET', '/bucket/{bucketId}', 400, { statusCode: 404, error: 'x', message: 'y', code: 'z' })).not.toEqual([]);
    expect(spec.validate('GET', '/bucket/{bucketId}', 200, { id: 'a', name: 'a', extra: 1 })).not.toEqual([]);
    expect(spec.validate('POST', '/object/list/{bucketName}', 200, [{ name: 'a', id: 1 }])).not.toEqual([]);
    expect(spec.validate('POST', '/object/sign/{bucketName}', 200, [{ path: 'a', signedURL: null }])).not.toEqual([]);
  });

  it('bucket operations: success and error bodies', async () => {
    expect((await call('GET', '/bucket/', '/bucket', { auth: false })).status).toBe(400);
    expect((await call('GET', '/bucket/', '/bucket', { auth: true, headers: {} })).status).toBe(200);
    const wrong = await fetch(`${h.url}/storage/v1/bucket`, { headers: { authorization: 'Bearer nope' } });
    expect(spec.validate('GET', '/bucket/', wrong.status, await wrong.json())).toEqual([]);

    expect((await call('POST', '/bucket/', '/bucket', { body: { id: 'cb', name: 'cb', public: false, file_size_limit: 2048, allowed_mime_types: ['text/plain', 'image/*'] } })).status).toBe(200);
    expect((await call('POST', '/bucket/', '/bucket', { body: { id: 'cb', name: 'cb' } })).body).toMatchObject({ statusCode: '409' });
    expect((await call('POST', '/bucket/', '/bucket', { body: { name: '../x' } })).body).toMatchObject({ code: 'InvalidBucketName' });
    expect((await call('POST', '/bucket/', '/bucket', { body: { name: 'sz', file_size_limit: 'lots' } })).status).toBe(400);
    expect((await call('POST', '/bucket/', '/bucket', { body: { name: 'other', public: true, file_size_limit: '1MB' } })).status).toBe(200);

    const list = await call('GET', '/bucket/', '/bucket?limit=10&offset=0&sortColumn=name&sortOrder=desc');
    expect((list.body as { id: string }[]).map((b) => b.id)).toEqual(['other', 'cb']);
    expect((await call('GET', '/bucket/{bucketId}', '/bucket/cb')).body).toMatchObject({ id: 'cb', file_size_limit: 2048 });
    expect((await call('GET', '/bucket/{bucketId}', '/bucket/missing')).body).toMatchObject({ statusCode: '404', code: 'NoSuchBucket' });
    expect((await call('PUT', '/bucket/{bucketId}', '/bucket/other', { body: { public: false, file_size_limit: null } })).status).toBe(200);
    expect((await call('PUT', '/bucket/{bucketId}', '/bucket/missing', { body: { public: false } })).status).toBe(400);
    expect((await call('POST', '/bucket/{bucketId}/empty', '/bucket/other/empty', { body: {} })).status).toBe(200);
    expect((await call('POST', '/bucket/{bucketId}/empty', '/bucket/missing/empty', { body: {} })).status).toBe(400);
  });

  it('object upload, update, list, info, download errors', async () => {
    const up = await call('POST', '/object/{bucketName}/{*}', '/object/cb/docs/a.txt', { raw: 'hello', contentType: 'text/plain' });
    expect(up.body).toMatchObject({ Key: 'cb/docs/a.txt' });
    await call('POST', '/object/{bucketName}/{*}', '/object/cb/docs/img/b.png', { raw: Buffer.alloc(10), contentType: 'image/png' });
    expect((await call('POST', '/object/{bucketName}/{*}', '/object/cb/docs/a.txt', { raw: 'x', contentType: 'text/plain' })).body).toMatchObject({ statusCode: '409', code: 'KeyAlreadyExists' });
    expect((await call('POST', '/object/{bucketName}/{*}', '/object/cb/docs/c.txt', { raw: Buffer.alloc(4096), contentType: 'text/plain' })).body).toMatchObject({ statusCode: '413', code: 'EntityTooLarge' });
    expect((await call('POST', '/object/{bucketName}/{*}', '/object/cb/docs/c.pdf', { raw: 'x', contentType: 'application/pdf' })).body).toMatchObject({ statusCode: '415', code: 'InvalidMimeType' });
    expect((await call('POST', '/object/{bucketName}/{*}', '/object/cb/..%2Fa.txt', { raw: 'x', contentType: 'text/plain' })).body).toMatchObject({ code: 'InvalidKey' });
    expect((await call('POST', '/object/{bucketName}/{*}', '/object/nob/a.txt', { raw: 'x', contentType: 'text/plain' })).body).toMatchObject({ code: 'NoSuchBucket' });
    expect((await call('POST', '/object/{bucketName}/{*}', '/object/cb/a.txt', { raw: 'x', contentType: 'text/plain', auth: false })).status).toBe(400);

    expect((await call('PUT', '/object/{bucketName}/{*}', '/object/cb/docs/a.txt', { raw: 'hello again', contentType: 'text/plain' })).status).toBe(200);
    expect((await call('PUT', '/object/{bucketName}/{*}', '/object/cb/docs/zzz.txt', { raw: 'x', contentType: 'text/plain' })).body).toMatchObject({ code: 'NoSuchKey' });

    const listed = await call('POST', '/object/list/{bucketName}', '/object/list/cb', { body: { prefix: 'docs', limit: 100, offset: 0, sortBy: { column: 'name', order: 'asc' } } });
    expect((listed.body as { name: string; id: string | null }[]).map((i) => [i.name, i.id === null])).toEqual([
      ['a.txt', false],
      ['img', true],
    ]);
    await call('POST', '/object/list/{bucketName}', '/object/list/cb', { body: { prefix: '', sortBy: { column: 'updated_at', order: 'desc' } } });
    expect((await call('POST', '/object/list/{bucketName}', '/object/list/cb', { body: {} })).status).toBe(400);
    expect((await call('POST', '/object/list/{bucketName}', '/object/list/missing', { body: { prefix: '' } })).body).toMatchObject({ code: 'NoSuchBucket' });

    // download routes document only error bodies
    expect((await call('GET', '/object/{bucketName}/{*}', '/object/cb/docs/nope.txt')).body).toMatchObject({ statusCode: '404', code: 'NoSuchKey' });
    expect((await call('GET', '/object/authenticated/{bucketName}/{*}', '/object/authenticated/cb/docs/nope.txt')).status).toBe(400);
    expect((await call('GET', '/object/info/{bucketName}/{*}', '/object/info/cb/docs/nope.txt')).status).toBe(400);
    expect((await call('GET', '/object/public/{bucketName}/{*}', '/object/public/cb/docs/a.txt', { auth: false })).body).toMatchObject({ code: 'NoSuchBucket' });
    const ok = await fetch(`${h.url}/storage/v1/object/authenticated/cb/docs/a.txt`, { headers: { authorization: `Bearer ${SERVICE_KEY}` } });
    expect(await ok.text()).toBe('hello again');
  });

  it('signed URL operations', async () => {
    const one = await call('POST', '/object/sign/{bucketName}/{*}', '/object/sign/cb/docs/a.txt', { body: { expiresIn: 60 } });
    const signedURL = (one.body as { signedURL: string }).signedURL;
    expect(signedURL).toMatch(/^\/object\/sign\/cb\/docs\/a\.txt\?token=[\w-]+\.[\w-]+\.[\w-]+$/);
    expect((await call('POST', '/object/sign/{bucketName}/{*}', '/object/sign/cb/docs/none.txt', { body: { expiresIn: 60 } })).body).toMatchObject({ code: 'NoSuchKey' });
    expect((await call('POST', '/object/sign/{bucketName}/{*}', '/object/sign/cb/docs/a.txt', { body: { expiresIn: 0 } })).status).toBe(400);

    const many = await call('POST', '/object/sign/{bucketName}', '/object/sign/cb', { body: { expiresIn: 60, paths: ['docs/a.txt', 'docs/none.txt'] } });
    expect((many.body as { signedURL: string | null }[]).map((x) => x.signedURL === null)).toEqual([false, true]);
    expect((await call('POST', '/object/sign/{bucketName}', '/object/sign/cb', { body: { expiresIn: 60, paths: [] } })).status).toBe(400);

    const token = new URL(signedURL, 'http://x').searchParams.get('token')!;
    const good = await fetch(`${h.url}/storage/v1${signedURL}`);
    expect(await good.text()).toBe('hello again');
    expect((await call('GET', '/object/sign/{bucketName}/{*}', `/object/sign/cb/docs/img/b.png?token=${token}`, { auth: false })).body).toMatchObject({ code: 'InvalidSignature' });
    expect((await call('GET', '/object/sign/{bucketName}/{*}', `/object/sign/cb/docs/a.txt?token=${token}x`, { auth: false })).body).toMatchObject({ code: 'InvalidJWT' });
    expect((await call('GET', '/object/sign/{bucketName}/{*}', '/object/sign/cb/docs/a.txt', { auth: false })).status).toBe(400);
    const upSign = await call('POST', '/object/upload/sign/{bucketName}/{*}', '/object/upload/sign/cb/docs/up.txt', { body: {} });
    const upToken = (upSign.body as { token: string }).token;
    expect((upSign.body as { url: string }).url).toBe(`/object/upload/sign/cb/docs/up.txt?token=${upToken}`);
    expect((await call('POST', '/object/upload/sign/{bucketName}/{*}', '/object/upload/sign/cb/docs/a.txt', { body: {} })).body).toMatchObject({ code: 'KeyAlreadyExists' });
    expect((await call('PUT', '/object/upload/sign/{bucketName}/{*}', `/object/upload/sign/cb/docs/up.txt?token=${upToken}`, { raw: 'up', contentType: 'text/plain', auth: false })).body).toEqual({ Key: 'cb/docs/up.txt' });
    expect((await call('PUT', '/object/upload/sign/{bucketName}/{*}', `/object/upload/sign/cb/docs/up2.txt?token=${upToken}`, { raw: 'up', contentType: 'text/plain', auth: false })).body).toMatchObject({ code: 'InvalidSignature' });
    h.clock.advance(61_000);
    expect((await call('GET', '/object/sign/{bucketName}/{*}', `${signedURL}`, { auth: false })).body).toMatchObject({ message: 'jwt expired' });
  });

  it('move, copy, delete', async () => {
    expect((await call('POST', '/object/copy', '/object/copy', { body: { bucketId: 'cb', sourceKey: 'docs/a.txt', destinationKey: 'docs/copy.txt' } })).body).toMatchObject({ Key: 'cb/docs/copy.txt' });
    expect((await call('POST', '/object/copy', '/object/copy', { body: { bucketId: 'cb', sourceKey: 'docs/a.txt', destinationKey: 'docs/copy.txt' } })).body).toMatchObject({ code: 'KeyAlreadyExists' });
    expect((await call('POST', '/object/move', '/object/move', { body: { bucketId: 'cb', sourceKey: 'docs/copy.txt', destinationKey: 'moved/copy.txt', destinationBucket: 'other' } })).status).toBe(200);
    expect((await call('POST', '/object/move', '/object/move', { body: { bucketId: 'cb', sourceKey: 'docs/copy.txt', destinationKey: 'x.txt' } })).body).toMatchObject({ code: 'NoSuchKey' });
    expect((await call('POST', '/object/move', '/object/move', { body: { bucketId: 'cb', sourceKey: 'docs/a.txt', destinationKey: '../x.txt' } })).body).toMatchObject({ code: 'InvalidKey' });

    expect((await call('DELETE', '/bucket/{bucketId}', '/bucket/cb', { body: {} })).body).toMatchObject({ statusCode: '409', code: 'ResourceNotEmpty' });
    expect((await call('DELETE', '/object/{bucketName}/{*}', '/object/cb/docs/img/b.png', { body: {} })).status).toBe(200);
    expect((await call('DELETE', '/object/{bucketName}/{*}', '/object/cb/docs/img/b.png', { body: {} })).body).toMatchObject({ code: 'NoSuchKey' });
    const removed = await call('DELETE', '/object/{bucketName}', '/object/cb', { body: { prefixes: ['docs/a.txt', 'docs/up.txt', 'docs/none.txt'] } });
    expect((removed.body as { name: string }[]).map((o) => o.name)).toEqual(['docs/a.txt', 'docs/up.txt']);
    expect((await call('DELETE', '/object/{bucketName}', '/object/cb', { body: { prefixes: [] } })).status).toBe(400);
    expect((await call('DELETE', '/object/{bucketName}', '/object/missing', { body: { prefixes: ['a'] } })).body).toMatchObject({ code: 'NoSuchBucket' });
    expect((await call('DELETE', '/bucket/{bucketId}', '/bucket/cb', { body: {} })).status).toBe(200);
    expect((await call('DELETE', '/bucket/{bucketId}', '/bucket/cb', { body: {} })).body).toMatchObject({ code: 'NoSuchBucket' });
  });

  it('covered a success and an error response for every implemented JSON operation', () => {
    const ops = [
      'POST /bucket/', 'GET /bucket/', 'GET /bucket/{bucketId}', 'PUT /bucket/{bucketId}', 'POST /bucket/{bucketId}/empty',
      'DELETE /bucket/{bucketId}', 'POST /object/{bucketName}/{*}', 'PUT /object/{bucketName}/{*}', 'POST /object/list/{bucketName}',
      'POST /object/sign/{bucketName}/{*}', 'POST /object/sign/{bucketName}', 'POST /object/move', 'POST /object/copy',
      'DELETE /object/{bucketName}', 'DELETE /object/{bucketName}/{*}', 'POST /object/upload/sign/{bucketName}/{*}',
      'PUT /object/upload/sign/{bucketName}/{*}',
    ];
    for (const op of ops) {
      expect(covered, op).toContain(`${op} 200`);
      expect(covered, op).toContain(`${op} 4XX`);
    }
    for (const op of ['GET /object/{bucketName}/{*}', 'GET /object/authenticated/{bucketName}/{*}', 'GET /object/info/{bucketName}/{*}', 'GET /object/sign/{bucketName}/{*}', 'GET /object/public/{bucketName}/{*}']) {
      expect(covered, op).toContain(`${op} 4XX`);
    }
  });
});
