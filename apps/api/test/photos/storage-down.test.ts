import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, signUp, type TestApp } from '../helpers/app.ts';
import { freePort, photoFixture } from '../helpers/services.ts';

/** Storage unreachable: a person gets 503 with Retry-After and a message, never a 500. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { SUPABASE_URL: `http://127.0.0.1:${await freePort()}`, SUPABASE_SERVICE_ROLE_KEY: 'k' } });
});
afterAll(async () => t?.close());

it('answers 503 with Retry-After when Storage cannot be reached', async () => {
  const user = await signUp(t.app);
  const boundary = 'visiona-test-boundary';
  const photo = await photoFixture(1, 320, 320);
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    photo,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const upload = await t.app.inject({
    method: 'POST',
    url: '/api/v1/photos',
    headers: { ...user.auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload,
  });
  expect(upload.statusCode).toBe(503);
  expect(upload.headers['retry-after']).toBe('30');
  expect(upload.json().message).toMatch(/storage is not reachable/i);
  const list = await t.app.inject({ url: '/api/v1/photos', headers: user.auth });
  // Listing an empty set needs no signed URL: it still works.
  expect(list.statusCode).toBe(200);
  const rows = await t.database.db.query('select 1 from photos');
  expect(rows.rowCount).toBe(0);
});
