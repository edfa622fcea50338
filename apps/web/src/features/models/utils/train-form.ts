import {
  TRAINER_OPTIMIZERS,
  TRAINER_RESOLUTIONS,
  TRAINING_RANGES,
  TRIGGER_WORD_PATTERN,
  type CreateModelRequest,
  type TrainingParameters,
} from '@visiona/shared';
import type { FieldErrors } from '@/lib/form-errors';
import { toggleInOrder } from '@/lib/toggle-in-order';

export const MODEL_NAME_MAX_LENGTH = 100;
export const CAPTION_AFFIX_MAX_LENGTH = 200;

/** Fields folded away under "Advanced settings": the form opens it when one of them has an error. */
const ADVANCED_FIELDS = ['loraRank', 'learningRate', 'batchSize', 'resolution', 'optimizer', 'autocaptionPrefix', 'autocaptionSuffix'] as const;

/** The fields that can show an error, in the form's order: the first invalid one gets the focus. */
export const trainFields = ['name', 'triggerWord', 'steps', ...ADVANCED_FIELDS] as const;
export type TrainField = (typeof trainFields)[number];
export const advancedFields: readonly TrainField[] = ADVANCED_FIELDS;

export const trainFieldLabels: Record<TrainField, string> = {
  name: 'Name',
  triggerWord: 'Trigger word',
  steps: 'Training steps',
  loraRank: 'LoRA rank',
  learningRate: 'Learning rate',
  batchSize: 'Batch size',
  resolution: 'Resolutions',
  optimizer: 'Optimizer',
  autocaptionPrefix: 'Caption prefix',
  autocaptionSuffix: 'Caption suffix',
};

export type Optimizer = (typeof TRAINER_OPTIMIZERS)[number];
export type Resolution = (typeof TRAINER_RESOLUTIONS)[number];

/** The form keeps numbers as typed, so a half-typed value is not rewritten under the cursor. */
export interface TrainFormValues {
  name: string;
  triggerWord: string;
  steps: string;
  loraRank: string;
  learningRate: string;
  batchSize: string;
  resolution: Resolution[];
  optimizer: Optimizer;
  autocaption: boolean;
  autocaptionPrefix: string;
  autocaptionSuffix: string;
}

export function initialTrainFormValues(defaults: TrainingParameters): TrainFormValues {
  return {
    name: '',
    triggerWord: '',
    ...parameterValues(defaults),
  };
}

/** The parameter fields set to `parameters` (for "Reset to defaults"). */
export function parameterValues(parameters: TrainingParameters): Omit<TrainFormValues, 'name' | 'triggerWord'> {
  return {
    steps: String(parameters.steps),
    loraRank: String(parameters.loraRank),
    learningRate: formatLearningRate(parameters.learningRate),
    batchSize: String(parameters.batchSize),
    resolution: [...parameters.resolution],
    optimizer: parameters.optimizer,
    autocaption: parameters.autocaption,
    autocaptionPrefix: parameters.autocaptionPrefix,
    autocaptionSuffix: parameters.autocaptionSuffix,
  };
}

/** 0.0004 as "0.0004", not "4e-4". */
export function formatLearningRate(value: number): string {
  if (!Number.isFinite(value)) return '';
  return value.toFixed(8).replace(/0+$/, '').replace(/\.$/, '');
}

const number = new Intl.NumberFormat('en-US');

export function validateName(raw: string): string | undefined {
  const name = raw.trim();
  if (name === '') return 'Give the model a name, so you can tell it apart later.';
  if (name.length > MODEL_NAME_MAX_LENGTH) return `Model names can be at most ${MODEL_NAME_MAX_LENGTH} characters long.`;
  return undefined;
}

const triggerWordPattern = new RegExp(TRIGGER_WORD_PATTERN);

export function validateTriggerWord(raw: string): string | undefined {
  const word = raw.trim();
  if (word === '') return 'Choose a trigger word.';
  if (/\s/.test(word)) return 'A trigger word is one word: no spaces.';
  if (!/^[A-Za-z]/.test(word)) return 'Start the trigger word with a letter.';
  if (word.length < 2 || word.length > 30) return 'Use 2 to 30 characters for the trigger word.';
  if (!triggerWordPattern.test(word)) return 'Use only letters, digits and underscores in the trigger word.';
  return undefined;
}

function validateInteger(label: string, raw: string, range: { min: number; max: number }): string | undefined {
  const text = raw.trim();
  const message = `${label} must be a whole number from ${number.format(range.min)} to ${number.format(range.max)}.`;
  if (!/^\d+$/.test(text)) return message;
  const value = Number(text);
  return value < range.min || value > range.max ? message : undefined;
}

export function parseLearningRate(raw: string): number | null {
  const text = raw.trim();
  if (!/^(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

export function validateLearningRate(raw: string): string | undefined {
  const { min, max } = TRAINING_RANGES.learningRate;
  const value = parseLearningRate(raw);
  if (value === null || value < min || value > max) {
    return `Learning rate must be a number from ${formatLearningRate(min)} to ${formatLearningRate(max)}.`;
  }
  return undefined;
}

export function validateTrainForm(values: TrainFormValues): FieldErrors<TrainField> {
  const errors: FieldErrors<TrainField> = {};
  const checks: Array<[TrainField, string | undefined]> = [
    ['name', validateName(values.name)],
    ['triggerWord', validateTriggerWord(values.triggerWord)],
    ['steps', validateInteger(trainFieldLabels.steps, values.steps, TRAINING_RANGES.steps)],
    ['loraRank', validateInteger(trainFieldLabels.loraRank, values.loraRank, TRAINING_RANGES.loraRank)],
    ['learningRate', validateLearningRate(values.learningRate)],
    ['batchSize', validateInteger(trainFieldLabels.batchSize, values.batchSize, TRAINING_RANGES.batchSize)],
    ['resolution', values.resolution.length === 0 ? 'Choose at least one resolution.' : undefined],
    ['optimizer', (TRAINER_OPTIMIZERS as readonly string[]).includes(values.optimizer) ? undefined : 'Choose an optimizer.'],
    [
      'autocaptionPrefix',
      values.autocaptionPrefix.length > CAPTION_AFFIX_MAX_LENGTH ? `Keep the caption prefix to ${CAPTION_AFFIX_MAX_LENGTH} characters.` : undefined,
    ],
    [
      'autocaptionSuffix',
      values.autocaptionSuffix.length > CAPTION_AFFIX_MAX_LENGTH ? `Keep the caption suffix to ${CAPTION_AFFIX_MAX_LENGTH} characters.` : undefined,
    ],
  ];
  for (const [field, message] of checks) if (message) errors[field] = message;
  return errors;
}

/** Adds or removes a resolution, keeping TRAINER_RESOLUTIONS' order. */
export function toggleResolution(current: readonly Resolution[], resolution: Resolution, checked: boolean): Resolution[] {
  return toggleInOrder(TRAINER_RESOLUTIONS, current, resolution, checked);
}

/** The request body for POST /api/v1/models, from values that passed validateTrainForm. */
export function toCreateModelRequest(values: TrainFormValues): CreateModelRequest {
  return {
    name: values.name.trim(),
    triggerWord: values.triggerWord.trim(),
    parameters: {
      steps: Number(values.steps.trim()),
      loraRank: Number(values.loraRank.trim()),
      learningRate: parseLearningRate(values.learningRate) ?? Number.NaN,
      batchSize: Number(values.batchSize.trim()),
      resolution: [...values.resolution],
      optimizer: values.optimizer,
      autocaption: values.autocaption,
      autocaptionPrefix: values.autocaptionPrefix,
      autocaptionSuffix: values.autocaptionSuffix,
    },
  };
}

const CONSONANTS = 'BCDFGHJKLMNPQRSTVWXZ';

/**
 * A trigger word that is unlikely to be a real word: three random consonants, then the first
 * word of the model's name, e.g. "ZXQ_ANNA".
 */
export function suggestTriggerWord(name: string, random: () => number = Math.random): string {
  const prefix = Array.from({ length: 3 }, () => CONSONANTS[Math.floor(random() * CONSONANTS.length)] ?? 'X').join('');
  const word = (name.normalize('NFKD').replace(/[^A-Za-z0-9\s]/g, '').trim().split(/\s+/)[0] ?? '').toUpperCase().slice(0, 12);
  return word ? `${prefix}_${word}` : `${prefix}_ME`;
}

/** Whether the advanced settings differ from the defaults (shown as a hint on the folded section). */
export function advancedChanged(values: TrainFormValues, defaults: TrainingParameters): boolean {
  const initial = parameterValues(defaults);
  return (
    values.loraRank.trim() !== initial.loraRank ||
    parseLearningRate(values.learningRate) !== defaults.learningRate ||
    values.batchSize.trim() !== initial.batchSize ||
    values.resolution.join(',') !== initial.resolution.join(',') ||
    values.optimizer !== initial.optimizer ||
    values.autocaption !== initial.autocaption ||
    values.autocaptionPrefix !== initial.autocaptionPrefix ||
    values.autocaptionSuffix !== initial.autocaptionSuffix
  );
}

export interface CostCheck {
  /** Known balance is below the cost. */
  short: boolean;
  /** Balance after paying (null when the balance is unknown). */
  after: number | null;
}

export function checkCost(cost: number, balance: number | undefined): CostCheck {
  if (balance === undefined) return { short: false, after: null };
  return { short: balance < cost, after: balance - cost };
}
