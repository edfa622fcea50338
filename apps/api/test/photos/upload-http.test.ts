import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Photo } from '@visiona/shared';
import yauzl from 'yauzl';
import { createTrainingZip } from '../../src/modules/models/training-zip.ts';
import { photoPaths } from '../../src/modules/photos/service.ts';
import { signUp } from '../helpers/app.ts';
import { createServicesHarness, uploadPhotos, type ServicesHarness } from '../helpers/services.ts';
import { gpsSidewaysJpeg, pdf, photoLikeJpeg, pngBomb, pngThenHtml, readGps, renameEntry, svg, zipOf } from './fixtures.ts';

/**
 * QUALITY.md "Uploads", over HTTP through @fastify/multipart and into the Storage
 * emulator through supabase-js: every bad upload is refused with the right status and
 * leaves nothing in storage; a good one is stored re-encoded, without GPS, upright.
 */
let h: ServicesHarness;
beforeAll(async () => {
  h = await createServicesHarness({ env: { UPLOAD_MAX_FILE_BYTES: String(2 * 1024 * 1024), UPLOAD_MAX_PHOTOS: '12', TRAINING_MAX_ZIP_BYTES: String(64 * 1024) } });
});
afterAll(async () => h?.close());

const stored = async (userId: string) => (await h.app.storage.listTree(`users/${userId}`)).map((o) => o.path);

describe('POST /api/v1/photos over HTTP', () => {
  it('stores a photo re-encoded, without GPS, upright, with a thumbnail behind short-lived signed URLs', async () => {
    const user = await signUp(h.app);
    const gps = await gpsSidewaysJpeg();
    expect(readGps((await sharp(gps).metadata()).exif)).toBeDefined();
    const res = await uploadPhotos(h.baseUrl, user.token, [{ name: 'IMG_0001.jpg', data: gps }]);
    expect(res.status).toBe(201);
    const photo = (res.body as { items: Photo[] }).items[0]!;
    expect(photo).toMatchObject({ originalName: 'IMG_0001.jpg', sourceFormat: 'jpeg', width: 100, height: 200 });

    const download = await fetch(photo.url);
    expect(download.status).toBe(200);
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    const meta = await sharp(Buffer.from(await download.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 100, height: 200 });
    expect(meta.exif).toBeUndefined();
    expect((await fetch(photo.thumbnailUrl)).headers.get('content-type')).toMatch(/image\/webp/);
    expect(await stored(user.user.id)).toHaveLength(2);

    const list = async () => (await (await fetch(`${h.baseUrl}/api/v1/photos`, { headers: { authorization: `Bearer ${user.token}` } })).json()) as { count: number; items: Photo[] };
    const listed = await list();
    expect(listed.count).toBe(1);
    // Signed URLs are reused while fresh (no trip to Storage per page view), with their real expiry.
    expect(listed.items[0]!.thumbnailUrl).toBe(photo.thumbnailUrl);
    expect(listed.items[0]!.urlExpiresAt).toBe(photo.urlExpiresAt);
    expect(Date.parse(photo.urlExpiresAt) - Date.now()).toBeGreaterThan(300_000);
    const del = await fetch(`${h.baseUrl}/api/v1/photos/${photo.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${user.token}` } });
    expect(del.status).toBe(204);
    expect(await stored(user.user.id)).toEqual([]);
    expect((await fetch(photo.url)).status).toBeGreaterThanOrEqual(400);
  });

  it('refuses each bad upload with its status and a message, and stores nothing', async () => {
    const user = await signUp(h.app);
    const good = await photoLikeJpeg({ seed: 3 });
    const bigJpeg = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).jpeg({ quality: 100 }).toBuffer();
    const cases: { what: string; files: { name: string; data: Buffer; type?: string }[]; status: number; message: RegExp }[] = [
      { what: 'a PDF named .jpg', files: [{ name: 'me.jpg', data: pdf() }], status: 415, message: /me\.jpg/ },
      { what: 'an SVG', files: [{ name: 'me.svg', data: svg(), type: 'image/svg+xml' }], status: 415, message: /me\.svg/ },
      { what: 'a PNG header followed by HTML', files: [{ name: 'me.png', data: pngThenHtml(), type: 'image/png' }], status: 415, message: /me\.png/ },
      { what: 'a pixel bomb', files: [{ name: 'bomb.png', data: pngBomb(), type: 'image/png' }], status: 422, message: /megapixels/ },
      { what: 'a file over the size limit', files: [{ name: 'huge.jpg', data: bigJpeg }], status: 413, message: /huge\.jpg/ },
      { what: 'too many files', files: Array.from({ length: 13 }, (_, i) => ({ name: `p${i}.jpg`, data: good })), status: 413, message: /12/ },
      { what: 'a good photo next to a bad one', files: [{ name: 'ok.jpg', data: good }, { name: 'bad.jpg', data: pdf() }], status: 415, message: /bad\.jpg/ },
      { what: 'a zip-slip name', files: [{ name: 'set.zip', data: renameEntry(await zipOf([{ name: 'aa/bb/evil.jpg', data: good }]), 'aa/bb/evil.jpg', '../../evil.jpg'), type: 'application/zip' }], status: 422, message: /evil/ },
      { what: 'a symlink in a zip', files: [{ name: 'set.zip', data: await zipOf([{ name: 'link.jpg', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]), type: 'application/zip' }], status: 422, message: /link/ },
      { what: 'a nested zip', files: [{ name: 'set.zip', data: await zipOf([{ name: 'inner.zip', data: await zipOf([{ name: 'a.jpg', data: good }]) }]), type: 'application/zip' }], status: 422, message: /inner\.zip/ },
      { what: 'a zip bomb', files: [{ name: 'bomb.zip', data: await zipOf([{ name: 'zeros.jpg', data: Buffer.alloc(1.5 * 1024 * 1024), compress: true }]), type: 'application/zip' }], status: 422, message: /zip bomb/ },
    ];
    for (const c of cases) {
      const res = await uploadPhotos(h.baseUrl, user.token, c.files);
      expect(res.status, c.what).toBe(c.status);
      expect(String(res.body['message']), c.what).toMatch(c.message);
      expect(await stored(user.user.id), c.what).toEqual([]);
    }
    const json = await fetch(`${h.baseUrl}/api/v1/photos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: '{"files":[]}',
    });
    expect(json.status).toBe(415);
  });

  it('refuses a malformed multipart body with 400, also with a bad Idempotency-Key', async () => {
    const user = await signUp(h.app);
    const send = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${h.baseUrl}/api/v1/photos`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'multipart/form-data; boundary=other', ...headers },
        body,
      });
    for (const body of ['--xYzZY--\r\n', 'junk', '--other\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\n']) {
      const res = await send(body);
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { message: string }).message, body).toMatch(/not valid multipart\/form-data/);
    }
    const badKey = await send('junk', { 'idempotency-key': 'short' });
    expect(badKey.status).toBe(400);
    expect(((await badKey.json()) as { message: string }).message).toMatch(/Idempotency-Key/);
    expect(await stored(user.user.id)).toEqual([]);
  });

  it('takes a zip of photos, and keeps a person within their photo quota', async () => {
    const user = await signUp(h.app);
    const files = await Promise.all(Array.from({ length: 10 }, async (_, i) => ({ name: `set/p${i}.jpg`, data: await photoLikeJpeg({ seed: 20 + i }) })));
    const zip = await zipOf([...files, { name: '__MACOSX/._p0.jpg', data: Buffer.from('junk') }]);
    const res = await uploadPhotos(h.baseUrl, user.token, [{ name: 'photos.zip', data: zip, type: 'application/zip' }]);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((res.body as { items: Photo[] }).items.map((p) => p.originalName)).toEqual(files.map((f) => f.name.split('/')[1]));
    const more = await uploadPhotos(h.baseUrl, user.token, files.slice(0, 3).map((f) => ({ name: 'x.jpg', data: f.data })));
    expect(more.status).toBe(413);
    expect(await stored(user.user.id)).toHaveLength(20);

    // Together they are larger than a training zip may be (here 64 KB): refused up front, nothing spent.
    const train = await fetch(`${h.baseUrl}/api/v1/models`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Me', triggerWord: 'ZXQ_ME' }),
    });
    expect(train.status).toBe(409);
    const body = (await train.json()) as { code: string; message: string };
    expect(body.code).toBe('training_set_too_large');
    expect(body.message).toMatch(/Your 10 photos add up to \d+ MB, and a training can take at most 1 MB/);
    const me = await fetch(`${h.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${user.token}` } });
    expect(((await me.json()) as { creditBalance: number }).creditBalance).toBe(150);
  });

  it('flags a near-duplicate of an earlier photo, and a dark one', async () => {
    const user = await signUp(h.app);
    const original = await photoLikeJpeg({ seed: 40 });
    const copy = await sharp(original).resize(600).jpeg({ quality: 70 }).toBuffer();
    const dark = await sharp(original).linear(0.1, 0).jpeg().toBuffer();
    const first = await uploadPhotos(h.baseUrl, user.token, [{ name: 'a.jpg', data: original }]);
    const second = await uploadPhotos(h.baseUrl, user.token, [{ name: 'b.jpg', data: copy }, { name: 'c.jpg', data: dark }]);
    const [b, c] = (second.body as { items: Photo[] }).items;
    expect(b!.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'near_duplicate', duplicateOf: (first.body as { items: Photo[] }).items[0]!.id })]));
    expect(c!.warnings.map((w) => w.code)).toContain('too_dark');
  });

  it('the training zip streams the stored photos, still without GPS', async () => {
    const user = await signUp(h.app);
    const res = await uploadPhotos(h.baseUrl, user.token, [
      { name: 'gps.jpg', data: await gpsSidewaysJpeg() },
      { name: 'b.jpg', data: await photoLikeJpeg({ seed: 50 }) },
    ]);
    const ids = (res.body as { items: Photo[] }).items.map((p) => p.id);
    const chunks: Buffer[] = [];
    for await (const chunk of createTrainingZip(h.app.storage, ids.map((id) => photoPaths(user.user.id, id).photo))) chunks.push(chunk as Buffer);
    const entries = await new Promise<{ name: string; data: Buffer }[]>((resolve, reject) => {
      yauzl.fromBuffer(Buffer.concat(chunks), { lazyEntries: true }, (err, zip) => {
        if (err) return reject(err);
        const out: { name: string; data: Buffer }[] = [];
        zip.on('entry', (entry: yauzl.Entry) =>
          zip.openReadStream(entry, (e, stream) => {
            if (e) return reject(e);
            const parts: Buffer[] = [];
            stream.on('data', (d: Buffer) => parts.push(d)).on('end', () => {
              out.push({ name: entry.fileName, data: Buffer.concat(parts) });
              zip.readEntry();
            });
          }),
        );
        zip.on('end', () => resolve(out));
        zip.readEntry();
      });
    });
    expect(entries.map((e) => e.name)).toEqual(['photo-001.jpg', 'photo-002.jpg']);
    const first = await sharp(entries[0]!.data).metadata();
    expect(first).toMatchObject({ format: 'jpeg', width: 100, height: 200 });
    expect(first.exif).toBeUndefined();
  });

  it('a zip whose source photo is missing fails instead of hanging', async () => {
    const stream = createTrainingZip(h.app.storage, ['users/nobody/photos/missing.jpg']);
    await expect(async () => {
      for await (const _ of stream) void _;
    }).rejects.toThrow(/storage/);
  });

  it('a retried upload with the same Idempotency-Key stores the photos once, also when the retries race', async () => {
    const user = await signUp(h.app);
    const files = await Promise.all([1, 2].map(async (i) => ({ name: `k${i}.jpg`, data: await photoLikeJpeg({ seed: 70 + i }) })));
    const key = crypto.randomUUID();
    const [a, b] = await Promise.all([uploadPhotos(h.baseUrl, user.token, files, { 'idempotency-key': key }), uploadPhotos(h.baseUrl, user.token, files, { 'idempotency-key': key })]);
    const again = await uploadPhotos(h.baseUrl, user.token, files, { 'idempotency-key': key });
    const ids = (r: { body: Record<string, unknown> }) => (r.body as { items: Photo[] }).items.map((p) => p.id);
    expect([a.status, b.status, again.status]).toEqual([201, 201, 201]);
    expect(ids(b)).toEqual(ids(a));
    expect(ids(again)).toEqual(ids(a));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await stored(user.user.id)).toHaveLength(4);
    const other = await uploadPhotos(h.baseUrl, user.token, files, { 'idempotency-key': 'bad key!' });
    expect(other.status).toBe(400);
  });
});
