import { validationFailed, type InvalidField } from './errors.ts';
import { ASPECT_RATIOS, type OutputFormat } from './images.ts';

type Raw = Record<string, unknown>;

class Checker {
  readonly errors: InvalidField[] = [];
  private readonly raw: Raw;
  constructor(raw: Raw) {
    this.raw = raw;
  }
  private bad(field: string, type: string, description: string): void {
    this.errors.push({ type, field: `input.${field}`, description });
  }
  num(field: string, dflt: number, min: number, max: number, integer: boolean): number {
    const v = this.raw[field];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      this.bad(field, 'type', `Invalid type. Expected: ${integer ? 'integer' : 'number'}, given: ${typeof v}`);
      return dflt;
    }
    if (v < min) this.bad(field, 'greater_than_equal', `Must be greater than or equal to ${min}`);
    else if (v > max) this.bad(field, 'less_than_equal', `Must be less than or equal to ${max}`);
    return v;
  }
  optInt(field: string): number | undefined {
    const v = this.raw[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.bad(field, 'type', `Invalid type. Expected: integer, given: ${typeof v}`);
      return undefined;
    }
    return v;
  }
  str(field: string, dflt: string | undefined, allowed?: readonly string[]): string | undefined {
    const v = this.raw[field];
    if (v === undefined || v === null) {
      if (dflt === undefined) this.bad(field, 'required', `${field} is required`);
      return dflt;
    }
    if (typeof v !== 'string') {
      this.bad(field, 'type', `Invalid type. Expected: string, given: ${typeof v}`);
      return dflt;
    }
    if (allowed && !allowed.includes(v)) this.bad(field, 'enum', `${field} must be one of the following: ${allowed.map((a) => `"${a}"`).join(', ')}`);
    return v;
  }
  bool(field: string, dflt: boolean): boolean {
    const v = this.raw[field];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') {
      this.bad(field, 'type', `Invalid type. Expected: boolean, given: ${typeof v}`);
      return dflt;
    }
    return v;
  }
  custom(field: string, description: string): void {
    this.bad(field, 'invalid', description);
  }
  done(): void {
    if (this.errors.length > 0) throw validationFailed(this.errors);
  }
}

export interface TrainerInput {
  inputImages: string;
  triggerWord: string;
  steps: number;
  loraRank: number;
  learningRate: number;
  batchSize: number;
  resolution: number[];
  optimizer: string;
  autocaption: boolean;
  autocaptionPrefix: string;
  autocaptionSuffix: string;
}

export function parseTrainerInput(raw: Raw): TrainerInput {
  const c = new Checker(raw);
  const inputImages = c.str('input_images', undefined) ?? '';
  if (inputImages) {
    try {
      const u = new URL(inputImages);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') c.custom('input_images', 'Must be an http(s) URL of a zip file');
    } catch {
      c.custom('input_images', 'Does not match format \'uri\'');
    }
  }
  const resolutionRaw = c.str('resolution', '512,768,1024') ?? '512,768,1024';
  const resolution = resolutionRaw.split(',').map((s) => Number(s.trim()));
  if (resolution.some((r) => ![512, 768, 1024].includes(r))) c.custom('resolution', 'Each resolution must be one of 512, 768, 1024 (comma separated)');
  const parsed: TrainerInput = {
    inputImages,
    triggerWord: c.str('trigger_word', 'TOK') ?? 'TOK',
    steps: c.num('steps', 1000, 3, 6000, true),
    loraRank: c.num('lora_rank', 16, 1, 128, true),
    learningRate: c.num('learning_rate', 0.0004, 1e-7, 1, false),
    batchSize: c.num('batch_size', 1, 1, 16, true),
    resolution,
    optimizer: c.str('optimizer', 'adamw8bit', ['adamw8bit', 'adamw', 'adam8bit', 'prodigy', 'lion', 'adafactor']) ?? 'adamw8bit',
    autocaption: c.bool('autocaption', true),
    autocaptionPrefix: c.str('autocaption_prefix', '') ?? '',
    autocaptionSuffix: c.str('autocaption_suffix', '') ?? '',
  };
  c.done();
  return parsed;
}

export interface LoraInput {
  prompt: string;
  numOutputs: number;
  aspectRatio: string;
  width: number;
  height: number;
  outputFormat: OutputFormat;
  outputQuality: number;
  guidanceScale: number;
  numInferenceSteps: number;
  seed: number | undefined;
  loraScale: number;
  goFast: boolean;
  model: 'dev' | 'schnell';
}

export function parseLoraInput(raw: Raw): LoraInput {
  const c = new Checker(raw);
  const prompt = c.str('prompt', undefined) ?? '';
  if (raw['prompt'] === '') c.custom('prompt', 'prompt must not be empty');
  const aspectRatio = c.str('aspect_ratio', '1:1', Object.keys(ASPECT_RATIOS)) ?? '1:1';
  const [width, height] = ASPECT_RATIOS[aspectRatio] ?? [1024, 1024];
  const model = (c.str('model', 'dev', ['dev', 'schnell']) ?? 'dev') as 'dev' | 'schnell';
  const parsed: LoraInput = {
    prompt,
    numOutputs: c.num('num_outputs', 1, 1, 4, true),
    aspectRatio,
    width,
    height,
    outputFormat: (c.str('output_format', 'webp', ['webp', 'jpg', 'png']) ?? 'webp') as OutputFormat,
    outputQuality: c.num('output_quality', 80, 0, 100, true),
    guidanceScale: c.num('guidance_scale', 3, 0, 10, false),
    numInferenceSteps: c.num('num_inference_steps', model === 'schnell' ? 4 : 28, 1, 50, true),
    seed: c.optInt('seed'),
    loraScale: c.num('lora_scale', 1, -1, 3, false),
    goFast: c.bool('go_fast', false),
    model,
  };
  c.done();
  return parsed;
}
