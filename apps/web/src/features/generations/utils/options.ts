import {
  ASPECT_RATIOS,
  GENERATION_DEFAULTS,
  GENERATION_RANGES,
  OUTPUT_FORMATS,
  type GenerationOptions,
} from '@visiona/shared';
import type { FieldErrors } from '@/lib/form-errors';

export type AspectRatio = (typeof ASPECT_RATIOS)[number];
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The option fields, in the form's order: the first invalid one gets the focus. */
export const optionFields = ['numOutputs', 'aspectRatio', 'outputFormat', 'seed', 'guidanceScale', 'numInferenceSteps', 'loraScale'] as const;
export type OptionField = (typeof optionFields)[number];

export const optionFieldLabels: Record<OptionField, string> = {
  numOutputs: 'Number of images',
  aspectRatio: 'Aspect ratio',
  outputFormat: 'Format',
  seed: 'Seed',
  guidanceScale: 'Guidance',
  numInferenceSteps: 'Steps',
  loraScale: 'Likeness strength',
};

/** Numbers kept as typed (the seed box) or as the slider gives them, so nothing is rewritten under the cursor. */
export interface OptionValues {
  numOutputs: number;
  aspectRatio: AspectRatio;
  outputFormat: OutputFormat;
  /** Empty: a random seed. */
  seed: string;
  guidanceScale: string;
  numInferenceSteps: string;
  loraScale: string;
}

export const SLIDER_STEPS = { guidanceScale: 0.1, numInferenceSteps: 1, loraScale: 0.05 } as const;

export function optionValuesFrom(options: Partial<GenerationOptions> = {}, base: OptionValues = initialOptionValues()): OptionValues {
  return {
    numOutputs: options.numOutputs ?? base.numOutputs,
    aspectRatio: options.aspectRatio ?? base.aspectRatio,
    outputFormat: options.outputFormat ?? base.outputFormat,
    seed: options.seed === undefined ? base.seed : options.seed === null ? '' : String(options.seed),
    guidanceScale: options.guidanceScale === undefined ? base.guidanceScale : String(options.guidanceScale),
    numInferenceSteps: options.numInferenceSteps === undefined ? base.numInferenceSteps : String(options.numInferenceSteps),
    loraScale: options.loraScale === undefined ? base.loraScale : String(options.loraScale),
  };
}

export function initialOptionValues(): OptionValues {
  const d = GENERATION_DEFAULTS;
  return {
    numOutputs: d.numOutputs,
    aspectRatio: d.aspectRatio,
    outputFormat: d.outputFormat,
    seed: d.seed === null ? '' : String(d.seed),
    guidanceScale: String(d.guidanceScale),
    numInferenceSteps: String(d.numInferenceSteps),
    loraScale: String(d.loraScale),
  };
}

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function parseDecimal(raw: string): number | null {
  const text = raw.trim();
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function checkRange(label: string, value: number | null, range: { min: number; max: number }, whole: boolean): string | undefined {
  const kind = whole ? 'a whole number' : 'a number';
  const message = `${label} must be ${kind} from ${number.format(range.min)} to ${number.format(range.max)}.`;
  if (value === null || (whole && !Number.isInteger(value))) return message;
  return value < range.min || value > range.max ? message : undefined;
}

/** What is wrong with the options, per field; empty when they can be sent. */
export function validateOptions(values: OptionValues): FieldErrors<OptionField> {
  const errors: FieldErrors<OptionField> = {};
  const r = GENERATION_RANGES;
  const checks: Array<[OptionField, string | undefined]> = [
    ['numOutputs', checkRange(optionFieldLabels.numOutputs, values.numOutputs, r.numOutputs, true)],
    ['aspectRatio', (ASPECT_RATIOS as readonly string[]).includes(values.aspectRatio) ? undefined : 'Choose an aspect ratio.'],
    ['outputFormat', (OUTPUT_FORMATS as readonly string[]).includes(values.outputFormat) ? undefined : 'Choose a format.'],
    [
      'seed',
      values.seed.trim() === ''
        ? undefined
        : /^\d+$/.test(values.seed.trim())
          ? checkRange(optionFieldLabels.seed, Number(values.seed.trim()), r.seed, true)
          : `The seed must be a whole number from 0 to ${number.format(r.seed.max)}, or empty for a random one.`,
    ],
    ['guidanceScale', checkRange(optionFieldLabels.guidanceScale, parseDecimal(values.guidanceScale), r.guidanceScale, false)],
    ['numInferenceSteps', checkRange(optionFieldLabels.numInferenceSteps, parseDecimal(values.numInferenceSteps), r.numInferenceSteps, true)],
    ['loraScale', checkRange(optionFieldLabels.loraScale, parseDecimal(values.loraScale), r.loraScale, false)],
  ];
  for (const [field, message] of checks) if (message) errors[field] = message;
  return errors;
}

/** The request's `options`, from values that passed validateOptions. */
export function toGenerationOptions(values: OptionValues): GenerationOptions {
  return {
    numOutputs: values.numOutputs,
    aspectRatio: values.aspectRatio,
    outputFormat: values.outputFormat,
    seed: values.seed.trim() === '' ? null : Number(values.seed.trim()),
    guidanceScale: parseDecimal(values.guidanceScale) ?? Number.NaN,
    numInferenceSteps: parseDecimal(values.numInferenceSteps) ?? Number.NaN,
    loraScale: parseDecimal(values.loraScale) ?? Number.NaN,
  };
}

/** Whether anything under "More options" differs from the defaults (the folded section says so). */
export function optionsChanged(values: OptionValues): boolean {
  const initial = initialOptionValues();
  return (Object.keys(initial) as Array<keyof OptionValues>).some((key) => String(values[key]).trim() !== String(initial[key]));
}

export const ASPECT_RATIO_LABELS: Record<AspectRatio, string> = {
  '1:1': 'Square',
  '4:5': 'Portrait',
  '3:4': 'Portrait',
  '2:3': 'Portrait',
  '9:16': 'Story',
  '9:21': 'Tall',
  '5:4': 'Landscape',
  '4:3': 'Landscape',
  '3:2': 'Photo',
  '16:9': 'Wide',
  '21:9': 'Cinema',
};

/** Ratios in the order people look for them: square, portraits, landscapes. */
export const ASPECT_RATIO_ORDER: readonly AspectRatio[] = ['1:1', '4:5', '3:4', '2:3', '9:16', '9:21', '5:4', '4:3', '3:2', '16:9', '21:9'].filter(
  (ratio): ratio is AspectRatio => (ASPECT_RATIOS as readonly string[]).includes(ratio),
);

/** Width over height of "16:9"; 1 for anything unparseable. */
export function aspectRatioValue(ratio: string): number {
  const [w, h] = ratio.split(':').map(Number);
  return w && h && Number.isFinite(w / h) ? w / h : 1;
}

export const FORMAT_LABELS: Record<OutputFormat, string> = { webp: 'WebP', jpg: 'JPEG', png: 'PNG' };

/** "2 images · Portrait 4:5 · WebP · random seed": the folded section's summary line. */
export function describeOptions(values: OptionValues): string {
  const images = `${values.numOutputs} ${values.numOutputs === 1 ? 'image' : 'images'}`;
  const ratio = `${ASPECT_RATIO_LABELS[values.aspectRatio] ?? ''} ${values.aspectRatio}`.trim();
  const seed = values.seed.trim() === '' ? 'random seed' : `seed ${values.seed.trim()}`;
  return [images, ratio, FORMAT_LABELS[values.outputFormat] ?? values.outputFormat, seed].join(' · ');
}

/** A random seed within the API's range (for "Pick one"). */
export function randomSeed(random: () => number = Math.random): number {
  return Math.floor(random() * (GENERATION_RANGES.seed.max + 1));
}

/** The image counts to offer: the API's range, capped by the plan's images per generation when known. */
export function imageCountChoices(planMax?: number): number[] {
  const { min, max } = GENERATION_RANGES.numOutputs;
  const top = planMax === undefined ? max : Math.max(min, Math.min(max, planMax));
  return Array.from({ length: top - min + 1 }, (_, i) => min + i);
}

/** An image count the plan allows: anything above its cap comes down to it. */
export function clampImageCount(count: number, planMax?: number): number {
  return planMax === undefined ? count : Math.max(GENERATION_RANGES.numOutputs.min, Math.min(count, planMax));
}
