import type { Generation, Model } from '@visiona/shared';
import { signUp } from '../helpers/app.ts';
import { apiCall, eventually, photoFixture, uploadPhotos, type ServicesHarness } from '../helpers/services.ts';

export const call = <T = Record<string, unknown>>(h: ServicesHarness, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  apiCall<T>(h.baseUrl, token, method, path, body, headers);

let photos: { name: string; data: Buffer }[] | undefined;

/** A new user with a Ready model, trained through the Replicate emulator. */
export async function userWithReadyModel(h: ServicesHarness) {
  photos ??= await Promise.all(Array.from({ length: 10 }, async (_, i) => ({ name: `me-${i}.jpg`, data: await photoFixture(i + 200) })));
  const user = await signUp(h.app);
  const up = await uploadPhotos(h.baseUrl, user.token, photos);
  if (up.status !== 201) throw new Error(`upload failed: ${JSON.stringify(up.body)}`);
  const started = await call<Model>(h, user.token, 'POST', '/api/v1/models', { name: 'Me', triggerWord: 'ZXQ_ME', parameters: { steps: 200 } });
  const model = await eventually(async () => {
    const { body } = await call<Model>(h, user.token, 'GET', `/api/v1/models/${started.body.id}`);
    return body.status === 'Ready' ? body : undefined;
  }, 30_000, 'the model to be Ready');
  return { ...user, model };
}

export const waitForGeneration = (h: ServicesHarness, token: string, id: string, status: Generation['status']) =>
  eventually(async () => {
    const { body } = await call<Generation>(h, token, 'GET', `/api/v1/generations/${id}`);
    return body.status === status ? body : undefined;
  }, 30_000, `generation ${id} to be ${status}`);

export async function balance(h: ServicesHarness, token: string): Promise<number> {
  return (await call<{ creditBalance: number }>(h, token, 'GET', '/api/v1/me')).body.creditBalance;
}
