import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createClient } from '@supabase/supabase-js';
import type { SupabaseClient } from '@supabase/supabase-js';
import { createStorageEmulator } from '../../src/storage/server.ts';

export const SERVICE_KEY = 'test-service-key-0123456789';

export class FakeClock {
  t: number;
  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.t = start;
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export type Harness = {
  app: FastifyInstance;
  url: string;
  dataDir: string;
  clock: FakeClock;
  client: SupabaseClient;
  close(): Promise<void>;
};

export async function startEmulator(extra: { maxFileSize?: number } = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'storage-emu-'));
  const clock = new FakeClock();
  const app = await createStorageEmulator({ dataDir, serviceKey: SERVICE_KEY, clock, ...extra });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const client = createClient(url, SERVICE_KEY, { auth: { persistSession: false, autoRefreshToken: false } });
  return {
    app,
    url,
    dataDir,
    clock,
    client,
    async close() {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
