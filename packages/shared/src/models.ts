import { Type, type Static } from 'typebox';

export const TRAINER_OPTIMIZERS = ['adamw8bit', 'adamw', 'adam8bit', 'prodigy', 'lion', 'adafactor'] as const;
export const TRAINER_RESOLUTIONS = [512, 768, 1024] as const;

/** The trainer's defaults (ostris/flux-dev-lora-trainer). */
export const TRAINING_DEFAULTS: TrainingParameters = {
  steps: 1000,
  loraRank: 16,
  learningRate: 0.0004,
  batchSize: 1,
  resolution: [512, 768, 1024],
  optimizer: 'adamw8bit',
  autocaption: true,
  autocaptionPrefix: '',
  autocaptionSuffix: '',
};

export const TRAINING_RANGES = {
  steps: { min: 100, max: 4000 },
  loraRank: { min: 1, max: 128 },
  learningRate: { min: 0.00001, max: 0.001 },
  batchSize: { min: 1, max: 16 },
} as const;

export const TRIGGER_WORD_PATTERN = '^[A-Za-z][A-Za-z0-9_]{1,29}$';

const TrainingParameterProps = {
  steps: Type.Integer({ minimum: TRAINING_RANGES.steps.min, maximum: TRAINING_RANGES.steps.max, description: 'Training steps. More steps learn more detail and take longer.' }),
  loraRank: Type.Integer({ minimum: TRAINING_RANGES.loraRank.min, maximum: TRAINING_RANGES.loraRank.max, description: 'LoRA rank: higher captures more detail, with larger weights.' }),
  learningRate: Type.Number({ minimum: TRAINING_RANGES.learningRate.min, maximum: TRAINING_RANGES.learningRate.max }),
  batchSize: Type.Integer({ minimum: TRAINING_RANGES.batchSize.min, maximum: TRAINING_RANGES.batchSize.max }),
  resolution: Type.Array(Type.Union([Type.Literal(512), Type.Literal(768), Type.Literal(1024)]), {
    minItems: 1,
    maxItems: 3,
    uniqueItems: true,
    description: 'Training resolutions in pixels (buckets).',
  }),
  optimizer: Type.Enum([...TRAINER_OPTIMIZERS]),
  autocaption: Type.Boolean({ description: 'Caption each photo automatically before training.' }),
  autocaptionPrefix: Type.String({ maxLength: 200, description: 'Text put before each automatic caption.' }),
  autocaptionSuffix: Type.String({ maxLength: 200, description: 'Text put after each automatic caption.' }),
};

export const TrainingParameters = Type.Object(TrainingParameterProps, { additionalProperties: false });
export type TrainingParameters = Static<typeof TrainingParameters>;

export const CreateModelRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: 'A name for the model, for you.' }),
    triggerWord: Type.String({
      pattern: TRIGGER_WORD_PATTERN,
      description: 'A word that stands for you in prompts: a letter, then 1–29 letters, digits or underscores. Pick something that is not a real word, e.g. `ZXQ_ANNA`.',
    }),
    parameters: Type.Optional(Type.Partial(Type.Object(TrainingParameterProps, { additionalProperties: false }))),
  },
  { additionalProperties: false },
);
export type CreateModelRequest = Static<typeof CreateModelRequest>;

export const MODEL_STATUSES = ['Processing', 'Ready', 'Failed', 'Canceled'] as const;
export const ModelStatus = Type.Enum([...MODEL_STATUSES], {
  description: '`Processing` until the training ends; then `Ready`, `Failed` or `Canceled`.',
});
export type ModelStatus = Static<typeof ModelStatus>;

export const TRAINING_PHASES = ['queued', 'starting', 'training', 'finishing', 'done'] as const;

export const TrainingProgress = Type.Object(
  {
    phase: Type.Enum([...TRAINING_PHASES]),
    percent: Type.Number({ minimum: 0, maximum: 100 }),
    step: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    totalSteps: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    etaSeconds: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'Estimated seconds left, from the trainer.' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type TrainingProgress = Static<typeof TrainingProgress>;

export const Model = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    triggerWord: Type.String(),
    status: ModelStatus,
    progress: TrainingProgress,
    error: Type.Union([Type.String(), Type.Null()], { description: 'Why the training failed, for a person.' }),
    cancelRequestedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'Set when a cancel was asked for; the status becomes `Canceled` once the trainer has stopped.',
    }),
    parameters: TrainingParameters,
    photoCount: Type.Integer({ minimum: 0 }),
    creditsCost: Type.Integer({ minimum: 0 }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type Model = Static<typeof Model>;

export const ModelList = Type.Object({ items: Type.Array(Model, { description: 'Newest first.' }) }, { additionalProperties: false });
export type ModelList = Static<typeof ModelList>;

/** Training settings, set by the server's configuration. */
export const TrainingConfig = Type.Object(
  {
    minPhotos: Type.Integer(),
    costCredits: Type.Integer({ description: 'Credits one training costs; refunded if it fails or is canceled.' }),
    defaults: TrainingParameters,
  },
  { additionalProperties: false },
);
export type TrainingConfig = Static<typeof TrainingConfig>;
