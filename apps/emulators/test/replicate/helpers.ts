import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Replicate from 'replicate';
import sharp from 'sharp';
import { ZipFile } from 'yazl';
import { createReplicateEmulator, type ReplicateEmulator } from '../../src/replicate/server.ts';

export const TOKEN = 'r8_test_token_0123456789';
export const TRAINER = { owner: 'ostris', name: 'flux-dev-lora-trainer', version: 'b6af14222e6bd9be257cbc1ea4afda3cd0503e1133083b9d1de0364d8568e6ef' };
export const SPEED = 50;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Harness {
  emu: ReplicateEmulator;
  baseUrl: string;
  replicate: Replicate;
  close(): Promise<void>;
}

export async function startEmulator(speed = SPEED): Promise<Harness> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const emu = await createReplicateEmulator({ apiToken: TOKEN, publicUrl: baseUrl, speed });
  await emu.app.listen({ host: '127.0.0.1', port });
  const replicate = new Replicate({ auth: TOKEN, baseUrl: `${baseUrl}/v1` });
  return { emu, baseUrl, replicate, close: () => emu.close() };
}

export async function pngImage(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 64, channels: 3, background: { r: seed * 40, g: 100, b: 200 - seed * 20 } } }).png().toBuffer();
}

export async function makeZip(files: Record<string, Buffer>): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [name, data] of Object.entries(files)) zip.addBuffer(data, name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function serveFiles(files: Record<string, Buffer>): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const f = files[(req.url ?? '/').slice(1)];
    if (!f) {
      res.writeHead(404).end('nope');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': f.length }).end(f);
  });
  const url = await listen(server);
  return { url, close: () => new Promise((r) => server.close(() => r())) };
}

export interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
  receivedAt: number;
}

export async function webhookReceiver(): Promise<{ url: string; deliveries: Delivery[]; rejected: string[]; failNext: (n: number) => void; close(): Promise<void> }> {
  const deliveries: Delivery[] = [];
  const rejected: string[] = [];
  let fail = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (fail > 0) {
        fail -= 1;
        rejected.push(String(req.headers['webhook-id']));
        res.writeHead(503).end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      deliveries.push({ headers: req.headers, body, json: JSON.parse(body) as Record<string, unknown>, receivedAt: Date.now() });
      res.writeHead(200).end('ok');
    });
  });
  const url = await listen(server);
  return { url, deliveries, rejected, failNext: (n) => (fail = n), close: () => new Promise((r) => server.close(() => r())) };
}

export async function waitFor<T>(fn: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000, intervalMs = 25): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (done(v)) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out; last value: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const TERMINAL = ['succeeded', 'failed', 'canceled'];

/** Creates a destination model, trains it on a zip of real PNGs, and returns the finished training. */
export async function trainModel(h: Harness, zipUrl: string, name: string, extra: Record<string, unknown> = {}): Promise<{ status: string; output: { version: string; weights: string } }> {
  await h.replicate.models.create('visiona', name, { visibility: 'private', hardware: 'gpu-h100' });
  const t = await h.replicate.trainings.create(TRAINER.owner, TRAINER.name, TRAINER.version, {
    destination: `visiona/${name}`,
    input: { input_images: zipUrl, steps: 100, lora_rank: 16, ...extra },
  });
  const done = await waitFor(() => h.replicate.trainings.get(t.id), (x) => TERMINAL.includes(x.status));
  return done as unknown as { status: string; output: { version: string; weights: string } };
}
