import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Model } from '@visiona/shared';
import { signUp } from '../helpers/app.ts';
import { createServicesHarness, eventually, photoFixture, uploadPhotos, type ServicesHarness } from '../helpers/services.ts';

/**
 * Storage refuses the training zip (over its per-object limit, here 100 KB): the
 * training fails at once with its reason and a refund, instead of retrying a
 * request that cannot succeed, and the photos are still deleted.
 */
let h: ServicesHarness;
beforeAll(async () => {
  h = await createServicesHarness({ storageMaxFileSize: 100 * 1024, env: { JOBS_RETRY_BASE_MS: '60000' } });
});
afterAll(async () => h?.close());

it('fails the training with a refund when Storage refuses the zip', async () => {
  const user = await signUp(h.app);
  const photos = await Promise.all(Array.from({ length: 10 }, async (_, i) => ({ name: `p${i}.jpg`, data: await photoFixture(i + 60) })));
  expect((await uploadPhotos(h.baseUrl, user.token, photos)).status).toBe(201);
  const auth = { authorization: `Bearer ${user.token}` };
  const res = await fetch(`${h.baseUrl}/api/v1/models`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Me', triggerWord: 'ZXQ_ME' }),
  });
  const model = (await res.json()) as Model;
  // With a one-minute retry delay, only a failure without retry ends it within the wait.
  const failed = await eventually(async () => {
    const m = (await (await fetch(`${h.baseUrl}/api/v1/models/${model.id}`, { headers: auth })).json()) as Model;
    return m.status === 'Failed' ? m : undefined;
  }, 15_000, 'the training to fail');
  expect(failed.error).toMatch(/Storage refused the training photos/);
  expect(failed.error).toMatch(/100 credits were refunded/);
  const me = (await (await fetch(`${h.baseUrl}/api/v1/me`, { headers: auth })).json()) as { creditBalance: number };
  expect(me.creditBalance).toBe(150);
  await eventually(async () => (await h.app.storage.listTree(`users/${user.user.id}`)).length === 0, 15_000, 'the photos to be deleted');
});
