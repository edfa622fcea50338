import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, sdk, webhookReceiver } from './helpers.ts';

const CLI = fileURLToPath(new URL('../../src/stripe/cli.ts', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI], { env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function ready(output: () => string): Promise<void> {
  const start = Date.now();
  while (!output().includes('stripe emulator ready')) {
    if (Date.now() - start > 15_000) throw new Error(`CLI did not start:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('stripe emulator: CLI', () => {
  it('serves the default prices, signs webhooks with STRIPE_WEBHOOK_SECRET and stops on SIGTERM', async () => {
    const port = await freePort();
    const receiver = await webhookReceiver();
    receiver.secret = 'whsec_cli_test_secret';
    try {
      const cli = run({ STRIPE_SECRET_KEY: 'sk_test_cli', STRIPE_EMULATOR_PORT: String(port), STRIPE_WEBHOOK_URL: receiver.url, STRIPE_WEBHOOK_SECRET: receiver.secret });
      await ready(cli.output);
      const stripe = sdk(port, { key: 'sk_test_cli' });
      const prices = await stripe.prices.list({ expand: ['data.product'] });
      expect(prices.data.map((p) => [p.id, p.unit_amount, p.currency, p.recurring?.interval]).sort()).toEqual([
        ['price_visiona_premium_monthly', 1900, 'usd', 'month'],
        ['price_visiona_pro_monthly', 4900, 'usd', 'month'],
      ]);
      const session = await stripe.checkout.sessions.create({ mode: 'subscription', customer_email: 'cli@example.com', line_items: [{ price: 'price_visiona_pro_monthly', quantity: 1 }], success_url: 'https://app.example/ok' });
      expect(session.url).toBe(`http://127.0.0.1:${port}/c/pay/${session.id}`);
      await stripe.customers.create({ email: 'cli@example.com' });
      const start = Date.now();
      while (receiver.received.length === 0 && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 20));
      expect(receiver.types()).toEqual(['customer.created']);
      expect(cli.output()).not.toContain(receiver.secret);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      await receiver.close();
    }
  });

  it('seeds STRIPE_EMULATOR_PRICES', async () => {
    const port = await freePort();
    const cli = run({ STRIPE_SECRET_KEY: 'sk_test_cli', STRIPE_EMULATOR_PORT: String(port), STRIPE_EMULATOR_PRICES: JSON.stringify([{ id: 'price_x', productId: 'prod_x', productName: 'X', unitAmount: 990, currency: 'eur', interval: 'year' }]) });
    await ready(cli.output);
    const prices = await sdk(port, { key: 'sk_test_cli' }).prices.list();
    expect(prices.data.map((p) => [p.id, p.unit_amount, p.currency, p.recurring?.interval])).toEqual([['price_x', 990, 'eur', 'year']]);
    cli.child.kill('SIGTERM');
    await cli.exited;
  });

  it('keeps customers and subscriptions in STRIPE_EMULATOR_DATA_FILE across a restart', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'stripe-cli-'));
    const dataFile = path.join(dir, 'data', 'stripe-emulator.json');
    try {
      const port = await freePort();
      const env = { STRIPE_SECRET_KEY: 'sk_test_cli', STRIPE_EMULATOR_PORT: String(port), STRIPE_EMULATOR_DATA_FILE: dataFile };
      const first = run(env);
      await ready(first.output);
      const stripe = sdk(port, { key: 'sk_test_cli' });
      const customer = await stripe.customers.create({ email: 'restart@example.com' });
      const session = await stripe.checkout.sessions.create({ mode: 'subscription', customer: customer.id, line_items: [{ price: 'price_visiona_pro_monthly', quantity: 1 }], success_url: 'https://app.example/ok' });
      const paid = await fetch(`http://127.0.0.1:${port}/_emulator/checkout/sessions/${session.id}/pay`, { method: 'POST', headers: { authorization: 'Bearer sk_test_cli' } });
      const subscription = String(((await paid.json()) as { subscription: string }).subscription);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect((await stat(dataFile)).mode & 0o777).toBe(0o600);

      const second = run(env);
      await ready(second.output);
      expect((await stripe.customers.retrieve(customer.id)) as { email: string }).toMatchObject({ email: 'restart@example.com' });
      expect(await stripe.subscriptions.retrieve(subscription)).toMatchObject({ status: 'active', customer: customer.id });
      expect((await stripe.billingPortal.sessions.create({ customer: customer.id })).url).toMatch(/\/p\/session\/bps_/);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a STRIPE_EMULATOR_DATA_FILE that is not a state file, naming it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'stripe-cli-'));
    const dataFile = path.join(dir, 'stripe-emulator.json');
    try {
      await writeFile(dataFile, 'garbage');
      const cli = run({ STRIPE_SECRET_KEY: 'sk_test_cli', STRIPE_EMULATOR_PORT: String(await freePort()), STRIPE_EMULATOR_DATA_FILE: dataFile });
      expect(await cli.exited).toBe(1);
      expect(cli.output()).toContain(`stripe emulator: the Stripe emulator data file ${dataFile} is not valid JSON`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [{}, /STRIPE_SECRET_KEY is required/],
    [{ STRIPE_SECRET_KEY: 'sk_test_cli', STRIPE_EMULATOR_PRICES: 'not json' }, /STRIPE_EMULATOR_PRICES must be a JSON array/],
    [{ STRIPE_SECRET_KEY: 'sk_test_cli', STRIPE_EMULATOR_PRICES: '[]' }, /at least one price/],
    [{ STRIPE_SECRET_KEY: 'sk_test_cli', STRIPE_WEBHOOK_SECRET: 'nope' }, /STRIPE_WEBHOOK_SECRET must start with whsec_/],
  ] as [Record<string, string>, RegExp][])('refuses bad configuration with a message naming it (%o)', async (env, message) => {
    const cli = run(env);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toMatch(message);
  });
});
