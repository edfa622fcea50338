import { randomBytes } from 'node:crypto';
import { appendLog, clockFmt, finish, launch, simWait, tqdmBar, type EmulatorContext } from './context.ts';
import { CONTENT_TYPES, renderImage } from './images.ts';
import type { LoraInput } from './inputs.ts';
import { isTerminal, OUTPUT_TTL_MS, type Job } from './store.ts';

export function startPrediction(ctx: EmulatorContext, job: Job, input: LoraInput, injectedFailure: string | undefined): void {
  ctx.webhooks.emit(job, 'start');
  launch(ctx, job, () => runPrediction(ctx, job, input, injectedFailure));
}

async function runPrediction(ctx: EmulatorContext, job: Job, input: LoraInput, injectedFailure: string | undefined): Promise<void> {
  const alive = (): boolean => !isTerminal(job.status);
  await simWait(ctx, job, 1_000);
  if (!alive()) return;
  job.status = 'processing';
  job.startedAt = ctx.store.now();
  const seed = input.seed ?? randomBytes(2).readUInt16BE(0);
  appendLog(ctx, job, `Using seed: ${seed}`);
  appendLog(ctx, job, '[!] SIMULATED output: images are rendered by the Visiona Replicate emulator, not by FLUX');
  appendLog(ctx, job, `Prompt: ${input.prompt}`);
  appendLog(ctx, job, `txt2img mode (${input.model}, go_fast=${input.goFast}, lora_scale=${input.loraScale}, guidance=${input.guidanceScale})`);
  await simWait(ctx, job, 500);
  if (!alive()) return;
  appendLog(ctx, job, `Loaded LoRAs in ${(0.6 + (seed % 7) / 10).toFixed(2)}s`);
  if (injectedFailure) {
    appendLog(ctx, job, `Traceback (most recent call last):\nRuntimeError: ${injectedFailure}`);
    return finish(ctx, job, 'failed', injectedFailure);
  }

  const steps = input.numInferenceSteps;
  const itPerSec = input.model === 'schnell' ? 14.2 : 8.9;
  const denoiseMs = (steps / itPerSec) * 1000 * input.numOutputs * 0.5;
  for (let i = 1; i <= 4; i++) {
    await simWait(ctx, job, denoiseMs / 4);
    if (!alive()) return;
    const step = Math.round((steps * i) / 4);
    const frac = step / steps;
    appendLog(ctx, job, `${String(Math.floor(frac * 100)).padStart(3, ' ')}%|${tqdmBar(frac)}| ${step}/${steps} [${clockFmt(step / itPerSec)}<${clockFmt((steps - step) / itPerSec)}, ${itPerSec.toFixed(2)}it/s]`);
  }

  const dir = randomBytes(16).toString('hex');
  const urls: string[] = [];
  for (let index = 0; index < input.numOutputs; index++) {
    const body = await renderImage({ prompt: input.prompt, seed, index, width: input.width, height: input.height, format: input.outputFormat, quality: input.outputQuality });
    if (!alive()) return;
    const path = `${dir}/out-${index}.${input.outputFormat}`;
    ctx.store.putFile(path, body, CONTENT_TYPES[input.outputFormat], OUTPUT_TTL_MS);
    urls.push(`${ctx.publicUrl}/files/${path}`);
  }
  job.output = urls;
  job.metrics = { image_count: urls.length, simulated: true, seed };
  ctx.webhooks.emit(job, 'output');
  const [owner = '', name = ''] = job.model.split('/');
  const model = ctx.store.getModel(owner, name);
  if (model) model.runCount += 1;
  finish(ctx, job, 'succeeded');
}
