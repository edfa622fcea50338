import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditList, GenerationList } from '@visiona/shared';
import { createTestApp, signUp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const subjectOf = async (userId: string) =>
  (await t.database.db.query<{ auth_subject: string }>('select auth_subject from users where id = $1', [userId])).rows[0]!.auth_subject;

async function pages<T extends { id: string }>(url: string, auth: Record<string, string>, limit: number): Promise<T[]> {
  const seen: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const res = await t.app.inject({ url: `${url}${url.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, headers: auth });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { items: T[]; nextCursor: string | null };
    seen.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) return seen;
  }
  throw new Error('too many pages');
}

describe('GET /api/v1/audit', () => {
  it('lists the person’s own events, newest first, page by page without gaps or repeats', async () => {
    const alice = await signUp(t.app);
    const bob = await signUp(t.app);
    await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: alice.auth, payload: { name: 'script', scopes: ['read'] } });
    // Events written in one transaction share their timestamp to the microsecond; more in the same millisecond.
    const sub = await subjectOf(alice.user.id);
    await t.database.db.query(
      `insert into audit_logs (owner_subject, action, created_at)
       select $1, 'test.same_millisecond', timestamptz '2026-01-01 10:00:00.123' + make_interval(secs => n / 1000000.0) from generate_series(0, 6) n`,
      [sub],
    );
    await t.database.db.query(`insert into audit_logs (owner_subject, action, created_at) select $1, 'test.same_instant', timestamptz '2026-01-01 09:00:00' from generate_series(1, 3)`, [sub]);

    const all = (await t.app.inject({ url: '/api/v1/audit?limit=100', headers: alice.auth })).json() as AuditList;
    expect(all.items.map((e) => e.action)).toEqual(expect.arrayContaining(['account.created', 'token.created']));
    const times = all.items.map((e) => Date.parse(e.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    for (const limit of [1, 2, 3]) {
      const paged = await pages<AuditList['items'][number]>('/api/v1/audit', alice.auth, limit);
      expect(paged.map((e) => e.id)).toEqual(all.items.map((e) => e.id));
    }
    const bobs = (await t.app.inject({ url: '/api/v1/audit', headers: bob.auth })).json() as AuditList;
    expect(bobs.items.every((e) => !all.items.some((a) => a.id === e.id))).toBe(true);
    expect(JSON.stringify(all)).not.toMatch(/vsk_[A-Za-z0-9]{20}/);
  });

  it('refuses a forged or broken cursor and a page size out of range with 400', async () => {
    const user = await signUp(t.app);
    for (const query of ['cursor=not-a-cursor', `cursor=${Buffer.from("2026-01-01T00:00:00Z|1' or 1=1").toString('base64url')}`, 'limit=0', 'limit=101']) {
      const res = await t.app.inject({ url: `/api/v1/audit?${query}`, headers: user.auth });
      expect(res.statusCode, query).toBe(400);
    }
  });
});

describe('gallery pagination', () => {
  it('does not skip generations created within the same millisecond', async () => {
    const user = await signUp(t.app);
    const sub = await subjectOf(user.user.id);
    await t.database.db.query(
      `insert into generations (owner_subject, prompt, status, parameters, created_at)
       select $1, 'ZXQ ' || n, 'Succeeded', '{}', timestamptz '2026-02-01 12:00:00.456' + make_interval(secs => n / 1000000.0) from generate_series(0, 5) n`,
      [sub],
    );
    const paged = await pages<GenerationList['items'][number]>('/api/v1/generations', user.auth, 1);
    expect(paged.map((g) => g.prompt)).toEqual(['ZXQ 5', 'ZXQ 4', 'ZXQ 3', 'ZXQ 2', 'ZXQ 1', 'ZXQ 0']);
  });
});
