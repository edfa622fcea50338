import { appendLog, clockFmt, finish, launch, sci, simWait, tqdmBar, type EmulatorContext } from './context.ts';
import { inspectZip, weightsTar } from './images.ts';
import type { TrainerInput } from './inputs.ts';
import { isTerminal, versionHash, type Job } from './store.ts';

const TOTAL_TRAIN_MS = 24_000; // realistic-ish at speed 1 ("tens of seconds")
const TICKS = 20;
const MAX_ZIP_BYTES = 512 * 1024 * 1024;

export function startTraining(ctx: EmulatorContext, job: Job, input: TrainerInput, injectedFailure: string | undefined): void {
  ctx.webhooks.emit(job, 'start');
  launch(ctx, job, () => runTraining(ctx, job, input, injectedFailure));
}

async function download(url: string, signal: AbortSignal): Promise<Buffer> {
  const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(60_000)]) });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  const len = Number(res.headers.get('content-length') ?? '0');
  if (len > MAX_ZIP_BYTES) throw new Error(`file is too large (${len} bytes)`);
  return Buffer.from(await res.arrayBuffer());
}

async function runTraining(ctx: EmulatorContext, job: Job, input: TrainerInput, injectedFailure: string | undefined): Promise<void> {
  const alive = (): boolean => !isTerminal(job.status);
  await simWait(ctx, job, 2_000); // queueing / cold boot
  if (!alive()) return;
  job.status = 'processing';
  job.startedAt = ctx.store.now();
  appendLog(ctx, job, 'Starting training (simulated by the Visiona Replicate emulator)');
  appendLog(ctx, job, `Downloading input_images from ${input.inputImages}`);

  let zip: Buffer;
  try {
    zip = await download(input.inputImages, job.abort.signal);
  } catch (err) {
    if (!alive()) return;
    const msg = `Failed to download input_images from ${input.inputImages}: ${(err as Error).message}`;
    appendLog(ctx, job, msg);
    return finish(ctx, job, 'failed', msg);
  }
  if (!alive()) return;
  appendLog(ctx, job, `Downloaded ${zip.length} bytes`);
  let summary;
  try {
    summary = await inspectZip(zip);
  } catch (err) {
    const msg = `input_images is not a valid zip file: ${(err as Error).message}`;
    appendLog(ctx, job, msg);
    return finish(ctx, job, 'failed', msg);
  }
  if (summary.images.length === 0) {
    const msg = `No images found in input_images: the zip contains ${summary.entries} file(s) but none is a JPEG, PNG or WebP image. Upload a zip of .jpg, .jpeg, .png or .webp files.`;
    appendLog(ctx, job, msg);
    return finish(ctx, job, 'failed', msg);
  }
  appendLog(ctx, job, `Extracted ${summary.images.length} images (${summary.captions} caption files) from input_images`);
  if (input.autocaption && summary.captions < summary.images.length) {
    appendLog(ctx, job, `Captioning ${summary.images.length - summary.captions} images with LLaVA...`);
    await simWait(ctx, job, 2_000);
    if (!alive()) return;
    const affix = [input.autocaptionPrefix && `prefix "${input.autocaptionPrefix}"`, input.autocaptionSuffix && `suffix "${input.autocaptionSuffix}"`].filter(Boolean).join(', ');
    appendLog(ctx, job, `Captioning done${affix ? ` (${affix})` : ''}`);
  }
  appendLog(ctx, job, `Trigger word: ${input.triggerWord}; steps: ${input.steps}; lora_rank: ${input.loraRank}; learning_rate: ${input.learningRate}; batch_size: ${input.batchSize}; resolution: ${input.resolution.join(',')}; optimizer: ${input.optimizer}`);
  appendLog(ctx, job, 'Loading FLUX.1-dev transformer, VAE and text encoders');
  await simWait(ctx, job, 1_500);
  if (!alive()) return;

  const itPerSec = 1.19;
  const totalSec = input.steps / itPerSec;
  const seed = parseInt(job.id.slice(0, 6), 36);
  const failAt = injectedFailure ? Math.ceil(TICKS / 2) : Number.POSITIVE_INFINITY;
  for (let i = 1; i <= TICKS; i++) {
    await simWait(ctx, job, TOTAL_TRAIN_MS / TICKS);
    if (!alive()) return;
    const step = Math.round((input.steps * i) / TICKS);
    const frac = step / input.steps;
    const elapsed = step / itPerSec;
    const loss = 0.45 * Math.exp(-2.2 * frac) + 0.05 + 0.02 * Math.sin(seed + i);
    const pct = String(Math.floor(frac * 100)).padStart(3, ' ');
    appendLog(ctx, job, `flux_train_replicate: ${pct}%|${tqdmBar(frac)}| ${step}/${input.steps} [${clockFmt(elapsed)}<${clockFmt(totalSec - elapsed)}, ${itPerSec.toFixed(2)}it/s, lr: ${sci(input.learningRate)} loss: ${sci(loss)}]`);
    if (i >= failAt && injectedFailure) {
      appendLog(ctx, job, `Traceback (most recent call last):\nRuntimeError: ${injectedFailure}`);
      return finish(ctx, job, 'failed', injectedFailure);
    }
  }

  appendLog(ctx, job, 'Saving LoRA weights to output/flux_train_replicate/lora.safetensors');
  const dest = job.destination ?? '';
  const [owner = '', name = ''] = dest.split('/');
  const model = ctx.store.getModel(owner, name);
  if (!model) return finish(ctx, job, 'failed', `The destination model ${dest} no longer exists`);
  const hash = versionHash('training', job.id, dest);
  const filePath = `${hash.slice(0, 16)}/trained_model.tar`;
  ctx.store.putFile(filePath, weightsTar({ rank: input.loraRank, steps: input.steps, trigger: input.triggerWord, mtime: ctx.store.now().getTime() }), 'application/x-tar', null);
  const weights = `${ctx.publicUrl}/files/${filePath}`;
  ctx.store.addVersion(model, { id: hash, model: dest, createdAt: ctx.store.now(), cogVersion: '0.9.13', kind: 'lora', weightsUrl: weights });
  appendLog(ctx, job, `Pushed new version ${dest}:${hash}`);
  job.output = { version: `${dest}:${hash}`, weights };
  ctx.webhooks.emit(job, 'output');
  finish(ctx, job, 'succeeded');
}
