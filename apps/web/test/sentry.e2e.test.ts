/**
 * End-to-end: the SPA's error reporting. With a Sentry DSN from GET /api/v1/config it loads the
 * SDK (a chunk of its own) and reports errors with no personal data; without one it loads nothing.
 * A local HTTP server stands in for Sentry's envelope endpoint.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { PublicConfig } from '@visiona/shared';
import { e2e, newPage, setupE2E } from './support/e2e';

const envelopes: { url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
const ingest = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    envelopes.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise<void>((resolve) => ingest.listen(0, '127.0.0.1', resolve));
const dsn = `http://webkey@127.0.0.1:${(ingest.address() as AddressInfo).port}/7`;
afterAll(() => new Promise<void>((resolve) => ingest.close(() => resolve())));

setupE2E({ apiEnv: { SENTRY_WEB_DSN: dsn, SENTRY_ENVIRONMENT: 'e2e' } });

/** The events among everything the SPA sent, parsed from the envelopes. */
function events(): Record<string, unknown>[] {
  return envelopes.flatMap((e) => {
    const lines = e.body.split('\n').filter(Boolean);
    const out: Record<string, unknown>[] = [];
    for (let i = 1; i + 1 < lines.length; i += 2) {
      if ((JSON.parse(lines[i]!) as { type: string }).type === 'event') out.push(JSON.parse(lines[i + 1]!) as Record<string, unknown>);
    }
    return out;
  });
}

describe('error reporting in the SPA', () => {
  it('reports an uncaught error with no email, token, query, header or user', async () => {
    expect(e2e.config.sentry).toEqual({ dsn, environment: 'e2e', release: e2e.config.version });
    const { context, page } = await newPage();
    const scripts: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(r.url());
    });
    try {
      const secret = 'vss_AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB.CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC';
      await page.goto(`/sign-in?email=jane.doe%40example.com&token=${secret}`);
      await page.getByLabel('Email', { exact: true }).fill('jane.doe@example.com');
      await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
      await expect.poll(() => scripts.some((s) => /\/assets\/sentry-[^/]*\.js$/.test(s))).toBe(true);
      await page.evaluate((token) => {
        console.warn(`signed in as jane.doe@example.com with ${token}`);
        setTimeout(() => {
          throw new Error(`render failed for jane.doe@example.com (${token}) from 203.0.113.9`);
        });
      }, secret);
      await expect.poll(() => events().length, { timeout: 20_000 }).toBeGreaterThan(0);

      const event = events()[0] as {
        environment: string;
        exception: { values: { value: string }[] };
        request?: { url?: string; headers?: unknown };
        user?: unknown;
        breadcrumbs?: { category?: string; message?: string }[];
      };
      expect(event.environment).toBe('e2e');
      expect(event.exception.values.at(-1)!.value).toBe('render failed for [email] ([token]) from [ip]');
      expect(event.user).toBeUndefined();
      // The page without its query; here its host is an IP address, which is masked too.
      expect(event.request).toEqual({ url: `${e2e.webUrl.replace('127.0.0.1', '[ip]')}/sign-in` });
      expect(event.breadcrumbs?.some((b) => b.category === 'ui.input')).toBe(false);
      expect(event.breadcrumbs?.find((b) => b.category === 'console')?.message).toBe('signed in as [email] with [token]');
      const sent = envelopes.map((e) => `${e.url}\n${e.body}`).join('\n');
      for (const leaked of ['jane.doe', 'example.com', secret.slice(0, 12), '203.0.113.9', 'correct horse', 'User-Agent', 'token=']) {
        expect(sent, leaked).not.toContain(leaked);
      }
    } finally {
      await context.close();
    }
  });

  it('loads nothing of Sentry when the server gives no DSN', async () => {
    const { context, page } = await newPage();
    const scripts: string[] = [];
    const outbound: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(r.url());
      if (r.url().includes(`:${(ingest.address() as AddressInfo).port}/`)) outbound.push(r.url());
    });
    try {
      await page.route('**/api/v1/config', async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as PublicConfig;
        await route.fulfill({ response, json: { ...body, sentry: null } });
      });
      await page.goto('/sign-in');
      await page.getByLabel('Email', { exact: true }).waitFor();
      await page.evaluate(() => setTimeout(() => { throw new Error('not reported'); }));
      await page.waitForTimeout(1000);
      expect(scripts.length).toBeGreaterThan(0);
      expect(scripts.filter((s) => /sentry/i.test(s))).toEqual([]);
      expect(outbound).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
