import { TRAINING_DEFAULTS, TRIGGER_WORD_PATTERN, type Model, type TrainingProgress } from '@visiona/shared';
import { describe, expect, it } from 'vitest';
import {
  advancedChanged,
  checkCost,
  formatLearningRate,
  initialTrainFormValues,
  parseLearningRate,
  suggestTriggerWord,
  toCreateModelRequest,
  toggleResolution,
  trainFieldLabels,
  trainFields,
  validateTrainForm,
  validateTriggerWord,
  type TrainFormValues,
} from '@/features/models/utils/train-form';
import {
  MODEL_POLL_MS,
  describeProgress,
  formatDuration,
  formatEta,
  modelsRefetchInterval,
  newlyFinished,
} from '@/features/models/utils/training-progress';
import { ApiError } from '@/lib/api-client';
import { mapApiErrorToForm } from '@/lib/form-errors';
import { newIdempotencyKey } from '@/lib/idempotency-key';

function filled(over: Partial<TrainFormValues> = {}): TrainFormValues {
  return { ...initialTrainFormValues(TRAINING_DEFAULTS), name: 'Me, summer 2026', triggerWord: 'ZXQ_ANNA', ...over };
}

describe('the train form', () => {
  it('starts from the server defaults and sends them as numbers', () => {
    const values = filled();
    expect(values.steps).toBe('1000');
    expect(values.learningRate).toBe('0.0004');
    expect(validateTrainForm(values)).toEqual({});
    expect(toCreateModelRequest({ ...values, name: '  Me, summer 2026 ', triggerWord: ' ZXQ_ANNA ' })).toEqual({
      name: 'Me, summer 2026',
      triggerWord: 'ZXQ_ANNA',
      parameters: { ...TRAINING_DEFAULTS },
    });
  });

  it('asks for a name and a trigger word', () => {
    expect(validateTrainForm(filled({ name: '  ', triggerWord: '' }))).toEqual({
      name: 'Give the model a name, so you can tell it apart later.',
      triggerWord: 'Choose a trigger word.',
    });
    expect(validateTrainForm(filled({ name: 'x'.repeat(101) })).name).toBe('Model names can be at most 100 characters long.');
  });

  it('accepts exactly the trigger words the API pattern accepts, and says what is wrong', () => {
    const pattern = new RegExp(TRIGGER_WORD_PATTERN);
    for (const word of ['ab', 'ZXQ_ANNA', 'a1', 'Me_2026', 'x'.repeat(30), '1abc', 'a', 'two words', 'x'.repeat(31), 'ann-a', '_abc', 'héllo']) {
      expect(validateTriggerWord(word) === undefined, word).toBe(pattern.test(word));
    }
    expect(validateTriggerWord('two words')).toBe('A trigger word is one word: no spaces.');
    expect(validateTriggerWord('1abc')).toBe('Start the trigger word with a letter.');
    expect(validateTriggerWord('a')).toBe('Use 2 to 30 characters for the trigger word.');
    expect(validateTriggerWord('ann-a')).toBe('Use only letters, digits and underscores in the trigger word.');
  });

  it('keeps the parameters inside the trainer ranges', () => {
    expect(validateTrainForm(filled({ steps: '99' })).steps).toBe('Training steps must be a whole number from 100 to 4,000.');
    expect(validateTrainForm(filled({ steps: '4001' })).steps).toBeDefined();
    expect(validateTrainForm(filled({ steps: '100' })).steps).toBeUndefined();
    expect(validateTrainForm(filled({ steps: '4000' })).steps).toBeUndefined();
    expect(validateTrainForm(filled({ steps: '1000.5' })).steps).toBeDefined();
    expect(validateTrainForm(filled({ steps: '' })).steps).toBeDefined();
    expect(validateTrainForm(filled({ loraRank: '0' })).loraRank).toBe('LoRA rank must be a whole number from 1 to 128.');
    expect(validateTrainForm(filled({ loraRank: '128' })).loraRank).toBeUndefined();
    expect(validateTrainForm(filled({ batchSize: '17' })).batchSize).toBe('Batch size must be a whole number from 1 to 16.');
    expect(validateTrainForm(filled({ learningRate: '0.01' })).learningRate).toBe('Learning rate must be a number from 0.00001 to 0.001.');
    expect(validateTrainForm(filled({ learningRate: 'fast' })).learningRate).toBeDefined();
    expect(validateTrainForm(filled({ learningRate: '1e-4' })).learningRate).toBeUndefined();
    expect(validateTrainForm(filled({ learningRate: '0.00001' })).learningRate).toBeUndefined();
    expect(validateTrainForm(filled({ resolution: [] })).resolution).toBe('Choose at least one resolution.');
    expect(validateTrainForm(filled({ autocaptionPrefix: 'x'.repeat(201) })).autocaptionPrefix).toBeDefined();
  });

  it('reads learning rates as people type them', () => {
    expect(parseLearningRate('0.0004')).toBe(0.0004);
    expect(parseLearningRate('4e-4')).toBe(0.0004);
    expect(parseLearningRate('.0004')).toBe(0.0004);
    expect(parseLearningRate('-0.1')).toBeNull();
    expect(parseLearningRate('0x10')).toBeNull();
    expect(formatLearningRate(0.00001)).toBe('0.00001');
    expect(formatLearningRate(0.001)).toBe('0.001');
  });

  it('toggles resolutions in the trainer order', () => {
    expect(toggleResolution([1024], 512, true)).toEqual([512, 1024]);
    expect(toggleResolution([512, 768, 1024], 768, false)).toEqual([512, 1024]);
    expect(toggleResolution([512], 512, true)).toEqual([512]);
  });

  it('notices changed advanced settings', () => {
    expect(advancedChanged(filled(), TRAINING_DEFAULTS)).toBe(false);
    expect(advancedChanged(filled({ steps: '2000' }), TRAINING_DEFAULTS)).toBe(false);
    expect(advancedChanged(filled({ loraRank: '32' }), TRAINING_DEFAULTS)).toBe(true);
    expect(advancedChanged(filled({ learningRate: '4e-4' }), TRAINING_DEFAULTS)).toBe(false);
    expect(advancedChanged(filled({ resolution: [1024] }), TRAINING_DEFAULTS)).toBe(true);
  });

  it('suggests trigger words that pass the API pattern', () => {
    const pattern = new RegExp(TRIGGER_WORD_PATTERN);
    const seq = [0, 0.5, 0.99];
    let i = 0;
    const random = () => seq[i++ % seq.length]!;
    expect(suggestTriggerWord('Anna in summer', random)).toBe('BNZ_ANNA');
    for (const name of ['', 'Ünïcödé Zoë', '2026 portraits', '!!!', 'a'.repeat(80)]) {
      expect(suggestTriggerWord(name)).toMatch(pattern);
    }
  });

  it('puts the API field errors next to the fields (nested parameters too)', () => {
    const error = new ApiError({
      kind: 'http',
      statusCode: 400,
      error: 'Bad Request',
      message: 'Some fields are not valid.',
      details: [
        { field: 'body.triggerWord', message: 'must match pattern' },
        { field: 'body.parameters.steps', message: 'must be <= 4000' },
      ],
    });
    const { fieldErrors, formError } = mapApiErrorToForm(error, trainFields, trainFieldLabels);
    expect(fieldErrors).toEqual({ triggerWord: 'Trigger word must match pattern.', steps: 'Training steps must be <= 4000.' });
    expect(formError).toBeNull();
  });

  it('weighs the cost against the balance', () => {
    expect(checkCost(100, 150)).toEqual({ short: false, after: 50 });
    expect(checkCost(100, 100)).toEqual({ short: false, after: 0 });
    expect(checkCost(100, 40)).toEqual({ short: true, after: -60 });
    expect(checkCost(100, undefined)).toEqual({ short: false, after: null });
  });

  it('makes a new v4 idempotency key each time', () => {
    const a = newIdempotencyKey();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newIdempotencyKey()).not.toBe(a);
  });
});

function progress(over: Partial<TrainingProgress>): TrainingProgress {
  return { phase: 'training', percent: 0, step: null, totalSteps: null, etaSeconds: null, updatedAt: '2030-01-01T00:00:00Z', ...over };
}

describe('training progress', () => {
  it('writes the time left in words', () => {
    expect(formatEta(null)).toBeNull();
    expect(formatEta(-1)).toBeNull();
    expect(formatEta(0)).toBe('less than a minute left');
    expect(formatEta(44)).toBe('less than a minute left');
    expect(formatEta(60)).toBe('about 1 min left');
    expect(formatEta(185)).toBe('about 3 min left');
    expect(formatEta(3600)).toBe('about 1 h left');
    expect(formatEta(4830)).toBe('about 1 h 21 min left');
  });

  it('writes durations', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(4 * 60_000 + 10_000)).toBe('4 min');
    expect(formatDuration(65 * 60_000)).toBe('1 h 5 min');
    expect(formatDuration(Number.NaN)).toBe('');
  });

  it('shows percent, step and ETA while training, and only the phase before', () => {
    const running = describeProgress(progress({ percent: 42, step: 420, totalSteps: 1000, etaSeconds: 185 }), 'en-US');
    expect(running).toEqual({
      percent: 42,
      phaseLabel: 'Training on your photos',
      stepText: 'Step 420 of 1,000',
      etaText: 'about 3 min left',
      valueText: '42%, step 420 of 1,000, about 3 min left',
    });
    const queued = describeProgress(progress({ phase: 'queued' }));
    expect(queued).toMatchObject({ percent: null, phaseLabel: 'Waiting for a GPU', stepText: null, etaText: null, valueText: 'Waiting for a GPU' });
    expect(describeProgress(progress({ phase: 'starting' })).percent).toBeNull();
    expect(describeProgress(progress({ phase: 'finishing', percent: 100, etaSeconds: 0 })).percent).toBe(100);
    expect(describeProgress(progress({ percent: 140 })).percent).toBe(100);
  });

  it('polls every 2 s while a model trains, and stops when none does', () => {
    expect(MODEL_POLL_MS).toBe(2000);
    expect(modelsRefetchInterval(undefined)).toBe(false);
    expect(modelsRefetchInterval([])).toBe(false);
    expect(modelsRefetchInterval([{ status: 'Ready' }, { status: 'Failed' }, { status: 'Canceled' }])).toBe(false);
    expect(modelsRefetchInterval([{ status: 'Ready' }, { status: 'Processing' }])).toBe(2000);
  });

  it('finds the trainings that just ended', () => {
    const model = (id: string, status: Model['status']) => ({ id, status }) as Model;
    const before = [model('a', 'Processing'), model('b', 'Processing'), model('c', 'Ready')];
    const after = [model('a', 'Ready'), model('b', 'Processing'), model('c', 'Ready'), model('d', 'Failed')];
    expect(newlyFinished(before, after).map((m) => m.id)).toEqual(['a']);
    expect(newlyFinished(undefined, after)).toEqual([]);
  });
});
