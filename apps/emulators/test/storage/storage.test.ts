import { Readable } from 'node:stream';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '@supabase/supabase-js';
import { SERVICE_KEY, startEmulator } from './helpers.ts';
import type { Harness } from './helpers.ts';

let h: Harness;

beforeEach(async () => {
  h = await startEmulator({ maxFileSize: 1024 * 1024 });
});
afterEach(async () => {
  await h.close();
});

async function listAllFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listAllFiles(p)));
    else out.push(p);
  }
  return out;
}

describe('storage emulator via @supabase/supabase-js', () => {
  it('creates a private bucket and reads it back', async () => {
    const { data, error } = await h.client.storage.createBucket('photos', { public: false });
    expect(error).toBeNull();
    expect(data).toEqual({ name: 'photos' });
    const got = await h.client.storage.getBucket('photos');
    expect(got.error).toBeNull();
    expect(got.data).toMatchObject({ id: 'photos', name: 'photos', public: false, file_size_limit: null, allowed_mime_types: null });
    const list = await h.client.storage.listBuckets();
    expect(list.data?.map((b) => b.id)).toEqual(['photos']);
    const dup = await h.client.storage.createBucket('photos', { public: false });
    expect(dup.data).toBeNull();
    expect(dup.error).toMatchObject({ status: 400, statusCode: '409', message: 'The resource already exists' });
  });

  it('uploads a Buffer and a Node Readable stream, lists with prefix, downloads identical bytes', async () => {
    await h.client.storage.createBucket('media', { public: false });
    const bucket = h.client.storage.from('media');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 5000 }, (_, i) => i % 251)]);
    const up1 = await bucket.upload('u1/a.png', png, { contentType: 'image/png' });
    expect(up1.error).toBeNull();
    expect(up1.data).toMatchObject({ path: 'u1/a.png', fullPath: 'media/u1/a.png' });
    expect(typeof up1.data?.id).toBe('string');

    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(4096, i));
    const streamed = Buffer.concat(chunks);
    const up2 = await bucket.upload('u1/sub/b.bin', Readable.from(chunks), { contentType: 'application/octet-stream' });
    expect(up2.error).toBeNull();

    const blobUp = await bucket.upload('u1/c.txt', new Blob(['hello blob'], { type: 'text/markdown' }), { contentType: 'text/markdown' });
    expect(blobUp.error).toBeNull();

    const list = await bucket.list('u1');
    expect(list.error).toBeNull();
    const names = list.data?.map((i) => i.name);
    expect(names).toEqual(['a.png', 'c.txt', 'sub']);
    const a = list.data?.find((i) => i.name === 'a.png');
    expect(a?.id).toEqual(expect.any(String));
    expect(a?.metadata).toMatchObject({ size: png.length, mimetype: 'image/png' });
    const sub = list.data?.find((i) => i.name === 'sub');
    expect(sub?.id).toBeNull();
    const subList = await bucket.list('u1/sub');
    expect(subList.data?.map((i) => i.name)).toEqual(['b.bin']);
    expect((await bucket.list('u1', { search: 'c' })).data?.map((i) => i.name)).toEqual(['c.txt']);
    expect((await bucket.list('u1', { limit: 1, offset: 1 })).data?.map((i) => i.name)).toEqual(['c.txt']);

    const d1 = await bucket.download('u1/a.png');
    expect(d1.error).toBeNull();
    expect(Buffer.from(await d1.data!.arrayBuffer()).equals(png)).toBe(true);
    expect(d1.data!.type).toBe('image/png');
    const d2 = await bucket.download('u1/sub/b.bin');
    expect(Buffer.from(await d2.data!.arrayBuffer()).equals(streamed)).toBe(true);
    const d3 = await bucket.download('u1/c.txt');
    expect(await d3.data!.text()).toBe('hello blob');
    expect(d3.data!.type).toBe('text/markdown');

    const head = await fetch(`${h.url}/storage/v1/object/media/u1/a.png`, { method: 'HEAD', headers: { authorization: `Bearer ${SERVICE_KEY}` } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(png.length));
    expect(head.headers.get('content-type')).toBe('image/png');

    const info = await bucket.info('u1/a.png');
    expect(info.error).toBeNull();
    expect(info.data).toMatchObject({ name: 'u1/a.png', size: png.length, contentType: 'image/png' });
    expect((await bucket.exists('u1/a.png')).data).toBe(true);
    expect((await bucket.exists('nope.png')).data).toBe(false);

    // bytes really live on disk under the data dir
    const files = await listAllFiles(h.dataDir);
    const contents = await Promise.all(files.filter((f) => f.endsWith('.bin')).map((f) => readFile(f)));
    expect(contents.some((c) => c.equals(png))).toBe(true);
  });

  it('signed URLs serve bytes with content-type and nosniff, then expire', async () => {
    await h.client.storage.createBucket('sig', { public: false });
    const bucket = h.client.storage.from('sig');
    const body = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>');
    await bucket.upload('dir/pic.svg', body, { contentType: 'image/svg+xml' });
    const { data, error } = await bucket.createSignedUrl('dir/pic.svg', 60);
    expect(error).toBeNull();
    expect(data!.signedUrl.startsWith(`${h.url}/storage/v1/object/sign/sig/dir/pic.svg?token=`)).toBe(true);

    const ok = await fetch(data!.signedUrl);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/svg+xml');
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await ok.arrayBuffer()).equals(body)).toBe(true);

    h.clock.advance(59_000);
    const stillOk = await fetch(data!.signedUrl);
    expect(stillOk.status).toBe(200);
    expect(await stillOk.text()).toBe(body.toString());
    h.clock.advance(2_000);
    const expired = await fetch(data!.signedUrl);
    expect(expired.status).toBe(400);
    expect(await expired.json()).toEqual({ statusCode: '400', error: 'InvalidJWT', code: 'InvalidJWT', message: 'jwt expired' });
  });

  it('refuses tampered and other-path signed tokens', async () => {
    await h.client.storage.createBucket('sig', { public: false });
    const bucket = h.client.storage.from('sig');
    await bucket.upload('a.txt', Buffer.from('A'), { contentType: 'text/plain' });
    await bucket.upload('b.txt', Buffer.from('B'), { contentType: 'text/plain' });
    const { data } = await bucket.createSignedUrl('a.txt', 600);
    const url = new URL(data!.signedUrl);
    const token = url.searchParams.get('token')!;
    const [hd, payload, sig] = token.split('.') as [string, string, string];

    // payload rewritten to point at b.txt, signature kept → invalid signature
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), url: 'sig/b.txt' }),
    ).toString('base64url');
    const forged = await fetch(`${h.url}/storage/v1/object/sign/sig/b.txt?token=${hd}.${forgedPayload}.${sig}`);
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ statusCode: '400', code: 'InvalidJWT', message: 'invalid signature' });

    // flipped signature character
    const flipped = sig.slice(0, -2) + (sig.at(-2) === 'A' ? 'B' : 'A') + sig.slice(-1);
    const bad = await fetch(`${h.url}/storage/v1/object/sign/sig/a.txt?token=${hd}.${payload}.${flipped}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('InvalidJWT');

    // valid token used for another path
    const other = await fetch(`${h.url}/storage/v1/object/sign/sig/b.txt?token=${token}`);
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({ code: 'InvalidSignature', message: 'The url do not match the signature' });

    // batch signing
    const many = await bucket.createSignedUrls(['a.txt', 'missing.txt'], 60);
    expect(many.error).toBeNull();
    expect(many.data![0]!.signedUrl).toContain('/object/sign/sig/a.txt?token=');
    expect(many.data![1]).toMatchObject({ path: 'missing.txt', signedURL: null, error: expect.any(String) });
    const viaBatch = await fetch(many.data![0]!.signedUrl!);
    expect(await viaBatch.text()).toBe('A');
  });

  it('signed upload URLs accept one path until they expire', async () => {
    await h.client.storage.createBucket('inbox', { public: false });
    const bucket = h.client.storage.from('inbox');
    const signed = await bucket.createSignedUploadUrl('in/report.csv');
    expect(signed.error).toBeNull();
    expect(signed.data!.signedUrl.startsWith(`${h.url}/storage/v1/object/upload/sign/inbox/in/report.csv?token=`)).toBe(true);
    const anon = createClient(h.url, 'anon-key-without-rights', { auth: { persistSession: false, autoRefreshToken: false } });
    const put = await anon.storage.from('inbox').uploadToSignedUrl('in/report.csv', signed.data!.token, Buffer.from('a,b\n1,2\n'), { contentType: 'text/csv' });
    expect(put.error).toBeNull();
    expect(put.data).toMatchObject({ path: 'in/report.csv', fullPath: 'inbox/in/report.csv' });
    const d = await bucket.download('in/report.csv');
    expect(await d.data!.text()).toBe('a,b\n1,2\n');
    expect(d.data!.type).toBe('text/csv');
    // same token, second time: object exists and the token did not grant upsert
    const again = await anon.storage.from('inbox').uploadToSignedUrl('in/report.csv', signed.data!.token, Buffer.from('x'), { contentType: 'text/csv' });
    expect(again.error).toMatchObject({ statusCode: '409' });
    // token for another path
    const other = await anon.storage.from('inbox').uploadToSignedUrl('in/other.csv', signed.data!.token, Buffer.from('x'), { contentType: 'text/csv' });
    expect(other.error).toMatchObject({ statusCode: '400', message: 'The url do not match the signature' });
    // an upload token does not download
    const dl = await fetch(`${h.url}/storage/v1/object/sign/inbox/in/report.csv?token=${signed.data!.token}`);
    expect(dl.status).toBe(400);
    await dl.text();
    // expiry (2 hours)
    const later = await bucket.createSignedUploadUrl('in/late.csv');
    h.clock.advance(2 * 60 * 60 * 1000 + 1000);
    const late = await anon.storage.from('inbox').uploadToSignedUrl('in/late.csv', later.data!.token, Buffer.from('x'), { contentType: 'text/csv' });
    expect(late.error).toMatchObject({ statusCode: '400', message: 'jwt expired' });
    expect((await bucket.list('in')).data?.map((i) => i.name)).toEqual(['report.csv']);
  });

  it('upload without upsert conflicts; upsert and update replace', async () => {
    await h.client.storage.createBucket('b', { public: false });
    const bucket = h.client.storage.from('b');
    expect((await bucket.upload('x.txt', Buffer.from('one'), { contentType: 'text/plain' })).error).toBeNull();
    const again = await bucket.upload('x.txt', Buffer.from('two'), { contentType: 'text/plain' });
    expect(again.data).toBeNull();
    expect(again.error).toMatchObject({ status: 400, statusCode: '409', message: 'The resource already exists' });
    expect(await (await bucket.download('x.txt')).data!.text()).toBe('one');

    expect((await bucket.upload('x.txt', Buffer.from('three'), { contentType: 'text/plain', upsert: true })).error).toBeNull();
    expect(await (await bucket.download('x.txt')).data!.text()).toBe('three');
    expect((await bucket.update('x.txt', Buffer.from('four'), { contentType: 'text/csv' })).error).toBeNull();
    const d = await bucket.download('x.txt');
    expect(await d.data!.text()).toBe('four');
    expect(d.data!.type).toBe('text/csv');
    const upd = await bucket.update('absent.txt', Buffer.from('x'), { contentType: 'text/plain' });
    expect(upd.error).toMatchObject({ statusCode: '404' });
  });

  it('move and copy', async () => {
    await h.client.storage.createBucket('b', { public: false });
    await h.client.storage.createBucket('c', { public: false });
    const bucket = h.client.storage.from('b');
    await bucket.upload('src.txt', Buffer.from('payload'), { contentType: 'text/plain' });
    const cp = await bucket.copy('src.txt', 'copy.txt');
    expect(cp.error).toBeNull();
    expect(cp.data).toEqual({ path: 'b/copy.txt' });
    const mv = await bucket.move('src.txt', 'moved/dst.txt', { destinationBucket: 'c' });
    expect(mv.error).toBeNull();
    expect(mv.data).toEqual({ message: 'Successfully moved' });
    expect((await bucket.download('src.txt')).error).toMatchObject({ statusCode: '404' });
    expect(await (await h.client.storage.from('c').download('moved/dst.txt')).data!.text()).toBe('payload');
    const clash = await bucket.copy('copy.txt', 'copy.txt');
    expect(clash.error).toMatchObject({ statusCode: '409' });
  });

  it('remove by prefixes returns deleted objects; list then empty; bucket delete/empty rules', async () => {
    await h.client.storage.createBucket('r', { public: false });
    const bucket = h.client.storage.from('r');
    await bucket.upload('p/1.txt', Buffer.from('1'), { contentType: 'text/plain' });
    await bucket.upload('p/2.txt', Buffer.from('2'), { contentType: 'text/plain' });
    const notEmpty = await h.client.storage.deleteBucket('r');
    expect(notEmpty.error).toMatchObject({ statusCode: '409', message: 'The bucket you tried to delete is not empty' });

    const rm = await bucket.remove(['p/1.txt', 'p/2.txt', 'p/none.txt']);
    expect(rm.error).toBeNull();
    expect(rm.data?.map((o) => o.name).sort()).toEqual(['p/1.txt', 'p/2.txt']);
    expect((await bucket.list('p')).data).toEqual([]);
    expect((await bucket.list()).data).toEqual([]);

    await bucket.upload('q.txt', Buffer.from('q'), { contentType: 'text/plain' });
    expect((await h.client.storage.emptyBucket('r')).error).toBeNull();
    expect((await bucket.list()).data).toEqual([]);
    expect((await h.client.storage.deleteBucket('r')).data).toEqual({ message: 'Successfully deleted' });
    expect((await h.client.storage.getBucket('r')).error).toMatchObject({ statusCode: '404', message: 'Bucket not found' });
  });

  it('refuses path traversal and unsafe keys, and nothing escapes dataDir', async () => {
    await h.client.storage.createBucket('safe', { public: false });
    const bucket = h.client.storage.from('safe');
    // (WHATWG URL parsing in fetch already rewrites `\` to `/` and resolves `..`; the raw requests below bypass that)
    for (const bad of ['../escape.txt', 'a/../../escape.txt', 'nul\u0000.txt']) {
      const r = await bucket.upload(bad, Buffer.from('x'), { contentType: 'text/plain' });
      expect(r.data, bad).toBeNull();
      expect(r.error, bad).not.toBeNull();
    }
    // encoded traversal sent raw, bypassing client-side URL normalisation
    for (const raw of ['/storage/v1/object/safe/..%2F..%2Fescape.txt', '/storage/v1/object/safe/%2Fetc%2Fpasswd', '/storage/v1/object/..%2Fsafe/x.txt', '/storage/v1/object/safe/a%5Cb.txt', '/storage/v1/object/safe/a%00b.txt', '/storage/v1/object/safe/a/..%2F..%2F..%2Fx']) {
      const res = await fetch(`${h.url}${raw}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SERVICE_KEY}`, 'content-type': 'text/plain' },
        body: 'x',
      });
      expect(res.status, raw).toBe(400);
      const body = (await res.json()) as { code: string };
      expect(['InvalidKey', 'InvalidBucketName']).toContain(body.code);
    }
    expect((await bucket.list()).data).toEqual([]);
    const files = await listAllFiles(h.dataDir);
    expect(files.every((f) => f.startsWith(h.dataDir))).toBe(true);
    expect(files.filter((f) => f.endsWith('.bin'))).toEqual([]);
  });

  it('refuses a wrong or missing key', async () => {
    const wrong = createClient(h.url, 'not-the-key', { auth: { persistSession: false, autoRefreshToken: false } });
    const r = await wrong.storage.listBuckets();
    expect(r.data).toBeNull();
    expect(r.error).toMatchObject({ status: 400, statusCode: '403' });
    const up = await wrong.storage.from('any').upload('a.txt', Buffer.from('a'), { contentType: 'text/plain' });
    expect(up.error).toMatchObject({ statusCode: '403' });
    const none = await fetch(`${h.url}/storage/v1/bucket`);
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ statusCode: '400', code: 'InvalidRequest' });
  });

  it('enforces the bucket file_size_limit, allowed_mime_types and the global cap', async () => {
    const c = await h.client.storage.createBucket('small', { public: false, fileSizeLimit: 1000, allowedMimeTypes: ['image/*', 'text/plain'] });
    expect(c.error).toBeNull();
    expect((await h.client.storage.getBucket('small')).data).toMatchObject({ file_size_limit: 1000, allowed_mime_types: ['image/*', 'text/plain'] });
    const bucket = h.client.storage.from('small');
    expect((await bucket.upload('ok.png', Buffer.alloc(1000, 1), { contentType: 'image/png' })).error).toBeNull();
    const big = await bucket.upload('big.png', Buffer.alloc(1001, 1), { contentType: 'image/png' });
    expect(big.error).toMatchObject({ status: 400, statusCode: '413', message: 'The object exceeded the maximum allowed size' });
    const bigStream = await bucket.upload('big2.png', Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), { contentType: 'image/png' });
    expect(bigStream.error).toMatchObject({ statusCode: '413' });
    const bigBlob = await bucket.upload('big3.png', new Blob([Buffer.alloc(2000)], { type: 'image/png' }));
    expect(bigBlob.error).toMatchObject({ statusCode: '413' });
    const mime = await bucket.upload('x.pdf', Buffer.from('%PDF'), { contentType: 'application/pdf' });
    expect(mime.error).toMatchObject({ statusCode: '415', message: 'mime type application/pdf is not supported' });
    expect((await bucket.list()).data?.map((i) => i.name)).toEqual(['ok.png']);

    await h.client.storage.createBucket('nolimit', { public: false });
    const huge = await h.client.storage.from('nolimit').upload('h.bin', Buffer.alloc(1024 * 1024 + 1), { contentType: 'application/octet-stream' });
    expect(huge.error).toMatchObject({ statusCode: '413' });
    // no partial files left behind
    const tmp = await readdir(join(h.dataDir, 'tmp'));
    expect(tmp).toEqual([]);
  });

  it('serves public buckets without auth and hides private ones', async () => {
    await h.client.storage.createBucket('pub', { public: true });
    await h.client.storage.createBucket('priv', { public: false });
    await h.client.storage.from('pub').upload('a.txt', Buffer.from('pub'), { contentType: 'text/plain' });
    await h.client.storage.from('priv').upload('a.txt', Buffer.from('priv'), { contentType: 'text/plain' });
    const pubUrl = h.client.storage.from('pub').getPublicUrl('a.txt').data.publicUrl;
    expect(await (await fetch(pubUrl)).text()).toBe('pub');
    const privUrl = h.client.storage.from('priv').getPublicUrl('a.txt').data.publicUrl;
    expect((await fetch(privUrl)).status).toBe(400);
    expect((await fetch(`${h.url}/storage/v1/object/priv/a.txt`)).status).toBe(400);
  });
});
