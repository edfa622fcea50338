import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { VisionaApp } from '../../src/app.ts';
import { randomUUID } from 'node:crypto';
import { TRAINING_DEFAULTS } from '@visiona/shared';
import { signUp } from '../helpers/app.ts';
import { createServicesHarness, photoFixture, uploadPhotos, type ServicesHarness } from '../helpers/services.ts';

/**
 * Broken object-level authorisation, from the published contract: for every
 * operation in openapi.yaml whose path takes an id, user B gets 404 on user A's
 * resource, and A's resource is untouched. A route added later with an id and
 * no fixture below fails this test until one is written.
 */
type Auth = Record<string, string>;
let t: ServicesHarness;
type Fixture = {
  /** Creates one resource owned by the caller and returns the path parameters naming it. */
  create(app: VisionaApp, auth: Auth): Promise<Record<string, string>>;
  /** True while the resource still exists for its owner. */
  exists(app: VisionaApp, auth: Auth, params: Record<string, string>): Promise<boolean>;
  /** A valid request body for the operations that take one (else `{}`), so validation cannot answer first. */
  body?: object;
};

const bearer = (auth: Auth) => auth['authorization']!.replace(/^Bearer /, '');

async function modelFor(app: VisionaApp, auth: Auth, status: 'Processing' | 'Ready'): Promise<Record<string, string>> {
  const me = (await app.inject({ url: '/api/v1/me', headers: auth })).json() as { id: string };
  const id = randomUUID();
  await t.database.db.query(
    `insert into models (id, owner_subject, name, trigger_word, parameters, status, photos_purged_at)
     select $1, auth_subject, 'me', 'ZXQ', $4, $3, now() from users where id = $2`,
    [id, me.id, status, JSON.stringify(TRAINING_DEFAULTS)],
  );
  return { id };
}

const modelExists = async (app: VisionaApp, auth: Auth, { id }: Record<string, string>) =>
  (await app.inject({ url: `/api/v1/models/${id}`, headers: auth })).statusCode === 200;

/** A finished generation with one image, as the store job leaves it. */
async function generationFor(app: VisionaApp, auth: Auth): Promise<{ generationId: string; imageId: string }> {
  const me = (await app.inject({ url: '/api/v1/me', headers: auth })).json() as { id: string };
  const { rows } = await t.database.db.query<{ id: string; owner_subject: string }>(
    `insert into generations (owner_subject, prompt, status, parameters)
     select auth_subject, 'ZXQ', 'Succeeded', '{}' from users where id = $1 returning id, owner_subject`,
    [me.id],
  );
  const g = rows[0]!;
  const image = await t.database.db.query<{ id: string }>(
    `insert into images (owner_subject, generation_id, idx, storage_path, thumb_path, content_type, width, height, byte_size)
     values ($1, $2, 0, $3, $3 || '.thumb', 'image/png', 1, 1, 1) returning id`,
    [g.owner_subject, g.id, `users/${me.id}/generations/${g.id}/0.png`],
  );
  return { generationId: g.id, imageId: image.rows[0]!.id };
}

const generationExists = async (app: VisionaApp, auth: Auth, id: string) =>
  (await app.inject({ url: `/api/v1/generations/${id}`, headers: auth })).statusCode === 200;

const FIXTURES: Record<string, Fixture> = {
  '/api/v1/generations/{id}': {
    create: async (app, auth) => ({ id: (await generationFor(app, auth)).generationId }),
    exists: (app, auth, { id }) => generationExists(app, auth, id!),
  },
  '/api/v1/images/{id}': {
    async create(app, auth) {
      const { generationId, imageId } = await generationFor(app, auth);
      return { id: imageId, generationId };
    },
    async exists(app, auth, { id, generationId }) {
      const res = await app.inject({ url: `/api/v1/generations/${generationId}`, headers: auth });
      return res.statusCode === 200 && res.json().images.some((i: { id: string; favorite: boolean }) => i.id === id && !i.favorite);
    },
    body: { favorite: true },
  },
  '/api/v1/photos/{id}': {
    async create(_app, auth) {
      const res = await uploadPhotos(t.baseUrl, bearer(auth), [{ name: 'a.jpg', data: await photoFixture(7, 320, 320) }]);
      return { id: (res.body as { items: { id: string }[] }).items[0]!.id };
    },
    async exists(app, auth, { id }) {
      const res = await app.inject({ url: '/api/v1/photos', headers: auth });
      return res.json().items.some((p: { id: string }) => p.id === id);
    },
  },
  '/api/v1/models/{id}': { create: (app, auth) => modelFor(app, auth, 'Ready'), exists: modelExists },
  '/api/v1/models/{id}/cancel': { create: (app, auth) => modelFor(app, auth, 'Processing'), exists: modelExists },
  '/api/v1/billing/checkout/{id}': {
    async create(app, auth) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/billing/checkout', headers: auth, payload: { plan: 'premium' } });
      return { id: res.json().id };
    },
    exists: async (app, auth, { id }) => (await app.inject({ url: `/api/v1/billing/checkout/${id}`, headers: auth })).statusCode === 200,
  },
  '/api/v1/tokens/{id}': {
    async create(app, auth) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: auth, payload: { name: 'a', scopes: ['read'] } });
      return { id: res.json().id };
    },
    async exists(app, auth, { id }) {
      const res = await app.inject({ url: '/api/v1/tokens', headers: auth });
      return res.json().items.some((t: { id: string }) => t.id === id);
    },
  },
};

interface Operation {
  method: string;
  path: string;
  params: string[];
  hasBody: boolean;
}

async function operationsWithIds(): Promise<Operation[]> {
  const spec = parse(await readFile(new URL('../../../../openapi.yaml', import.meta.url), 'utf8')) as {
    paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown[] }>>;
  };
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    if (params.length === 0) continue;
    for (const [method, op] of Object.entries(methods)) {
      if (!op.security || op.security.length === 0) continue;
      ops.push({ method: method.toUpperCase(), path, params, hasBody: Boolean(op.requestBody) });
    }
  }
  return ops;
}

let alice: Auth;
let bob: Auth;
let ops: Operation[];
beforeAll(async () => {
  t = await createServicesHarness();
  alice = (await signUp(t.app)).auth;
  bob = (await signUp(t.app)).auth;
  ops = await operationsWithIds();
});
afterAll(async () => t?.close());

describe('BOLA matrix from openapi.yaml', () => {
  it('finds the operations that take an id', () => {
    expect(ops.length).toBeGreaterThan(0);
  });

  it('every such path has a fixture', async () => {
    const missing = [...new Set((await operationsWithIds()).map((o) => o.path))].filter((p) => !FIXTURES[p]);
    expect(missing, 'add a fixture for each new path with an id').toEqual([]);
  });

  it("user B gets 404 on each of user A's resources, for every method, and A's resource survives", async () => {
    for (const op of ops) {
      const fixture = FIXTURES[op.path]!;
      const params = await fixture.create(t.app, alice);
      const url = op.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name]!);
      const res = await t.app.inject({
        method: op.method as 'GET',
        url,
        headers: bob,
        ...(op.hasBody ? { payload: fixture.body ?? {} } : {}),
      });
      expect(res.statusCode, `${op.method} ${op.path} as another user`).toBe(404);
      expect(res.json().statusCode).toBe(404);
      expect(await fixture.exists(t.app, alice, params), `${op.method} ${op.path}: owner's resource`).toBe(true);
    }
  });
});
