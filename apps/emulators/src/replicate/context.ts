import type { FastifyBaseLogger } from 'fastify';
import type { Faults } from './faults.ts';
import type { Job } from './store.ts';
import { isTerminal, type Store } from './store.ts';
import { sleep } from './util.ts';
import type { WebhookSender } from './webhooks.ts';

export interface EmulatorContext {
  store: Store;
  faults: Faults;
  webhooks: WebhookSender;
  logger: FastifyBaseLogger;
  publicUrl: string;
}

/** Waits `realisticMs` divided by the current speed; resolves early if the job is aborted. */
export function simWait(ctx: EmulatorContext, job: Job, realisticMs: number): Promise<void> {
  return sleep(realisticMs / ctx.faults.speed, job.abort.signal);
}

export function appendLog(ctx: EmulatorContext, job: Job, line: string): void {
  job.logs += `${line}\n`;
  ctx.webhooks.emit(job, 'logs');
}

export function finish(ctx: EmulatorContext, job: Job, status: 'succeeded' | 'failed' | 'canceled', error: string | null = null): void {
  if (isTerminal(job.status)) return;
  const now = ctx.store.now();
  job.status = status;
  job.error = error;
  job.completedAt = now;
  const started = job.startedAt ?? now;
  job.metrics = {
    ...job.metrics,
    predict_time: (now.getTime() - started.getTime()) / 1000,
    total_time: (now.getTime() - job.createdAt.getTime()) / 1000,
  };
  if (status !== 'succeeded') job.abort.abort();
  ctx.webhooks.emit(job, 'completed');
  job.markFinished();
}

export function cancelJob(ctx: EmulatorContext, job: Job): void {
  if (isTerminal(job.status)) return;
  job.logs += 'Canceled by user\n';
  finish(ctx, job, 'canceled');
}

/** Runs a job body; any unexpected error fails the job instead of crashing the process. */
export function launch(ctx: EmulatorContext, job: Job, body: () => Promise<void>): void {
  void body().catch((err: unknown) => {
    ctx.logger.error({ err, jobId: job.id }, 'replicate emulator: job crashed');
    finish(ctx, job, 'failed', `Internal emulator error: ${(err as Error).message}`);
  });
}

/** `mm:ss` like tqdm. */
export function clockFmt(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function tqdmBar(fraction: number, width = 10): string {
  const blocks = ' ▏▎▍▌▋▊▉█';
  const exact = Math.max(0, Math.min(1, fraction)) * width;
  const full = Math.floor(exact);
  const partialIdx = Math.floor((exact - full) * 8);
  let bar = '█'.repeat(full);
  if (full < width) bar += (partialIdx > 0 ? blocks[partialIdx] : ' ') + ' '.repeat(width - full - 1);
  return bar;
}

export function sci(x: number): string {
  const [m, e] = x.toExponential(1).split('e');
  const exp = Number(e);
  return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}
