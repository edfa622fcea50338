import { Type, type Static } from 'typebox';

export const ASPECT_RATIOS = ['1:1', '16:9', '21:9', '3:2', '2:3', '4:5', '5:4', '3:4', '4:3', '9:16', '9:21'] as const;
export const OUTPUT_FORMATS = ['webp', 'jpg', 'png'] as const;
export const PROMPT_MAX_LENGTH = 1000;
export const GALLERY_PAGE_MAX = 100;

/** The trained model's inference inputs (the trainer's output model) and their ranges. */
export const GENERATION_RANGES = {
  numOutputs: { min: 1, max: 4 },
  guidanceScale: { min: 0, max: 10 },
  numInferenceSteps: { min: 1, max: 50 },
  loraScale: { min: -1, max: 3 },
  seed: { min: 0, max: 2_147_483_647 },
} as const;

// No `default` keywords: the API validates with useDefaults, which would fill them into
// requests (and coerce a null seed to 0); GENERATION_DEFAULTS applies them instead.
export const GenerationOptions = Type.Object(
  {
    numOutputs: Type.Integer({ minimum: 1, maximum: 4, description: 'Images to make from this prompt (default 1).' }),
    aspectRatio: Type.Enum([...ASPECT_RATIOS], { description: 'Default 1:1.' }),
    outputFormat: Type.Enum([...OUTPUT_FORMATS], { description: 'Default webp.' }),
    // Null first: with type coercion on, an Integer-first union would turn null into 0.
    seed: Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 2_147_483_647 })], {
      description: 'Same prompt and seed, same image. Null (the default) for a random one.',
    }),
    guidanceScale: Type.Number({ minimum: 0, maximum: 10, description: 'How closely the image follows the prompt (default 3).' }),
    numInferenceSteps: Type.Integer({ minimum: 1, maximum: 50, description: 'More steps: more detail, slower (default 28).' }),
    loraScale: Type.Number({ minimum: -1, maximum: 3, description: 'How strongly your likeness is applied (default 1).' }),
  },
  { additionalProperties: false },
);
export type GenerationOptions = Static<typeof GenerationOptions>;

export const GENERATION_DEFAULTS: GenerationOptions = {
  numOutputs: 1,
  aspectRatio: '1:1',
  outputFormat: 'webp',
  seed: null,
  guidanceScale: 3,
  numInferenceSteps: 28,
  loraScale: 1,
};

export const CreateGenerationRequest = Type.Object(
  {
    modelId: Type.String({ format: 'uuid', description: 'A model of yours in status `Ready`.' }),
    prompt: Type.String({ minLength: 1, maxLength: PROMPT_MAX_LENGTH }),
    enhance: Type.Optional(
      Type.Boolean({ description: 'Improve the prompt with the LLM first (default false). If the LLM is slow or down, the original prompt is used and `enhancement` says so.' }),
    ),
    enhancedPrompt: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: PROMPT_MAX_LENGTH * 2,
        description: 'An enhancement from `POST /api/v1/prompts/enhance` that the person has seen: used as is (no second LLM call).',
      }),
    ),
    presetId: Type.Optional(Type.String({ maxLength: 64, description: 'The preset the prompt came from, if any (for the record).' })),
    options: Type.Optional(Type.Partial(GenerationOptions)),
  },
  { additionalProperties: false },
);
export type CreateGenerationRequest = Static<typeof CreateGenerationRequest>;

export const GENERATION_STATUSES = ['Processing', 'Succeeded', 'Failed', 'Canceled'] as const;

export const GeneratedImage = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    index: Type.Integer({ minimum: 0 }),
    contentType: Type.String(),
    width: Type.Integer(),
    height: Type.Integer(),
    byteSize: Type.Integer(),
    favorite: Type.Boolean(),
    url: Type.String({ description: 'Short-lived signed URL of the full image.' }),
    thumbnailUrl: Type.String({ description: 'Short-lived signed URL of a small WebP preview.' }),
    downloadUrl: Type.String({ description: 'Like `url`, served as an attachment.' }),
  },
  { additionalProperties: false },
);
export type GeneratedImage = Static<typeof GeneratedImage>;

export const Generation = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    modelId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'Null once the model is deleted.' }),
    modelName: Type.Union([Type.String(), Type.Null()]),
    status: Type.Enum([...GENERATION_STATUSES]),
    prompt: Type.String({ description: 'What the person wrote (with the trigger word added if it was missing).' }),
    enhancedPrompt: Type.Union([Type.String(), Type.Null()], { description: 'What was sent to the model when the prompt was enhanced.' }),
    enhancement: Type.Enum(['none', 'enhanced', 'unavailable'], {
      description: '`unavailable`: enhancement was asked for but the LLM was slow or down, so the original prompt was used.',
    }),
    presetId: Type.Union([Type.String(), Type.Null()]),
    options: GenerationOptions,
    creditsCost: Type.Integer({ minimum: 0 }),
    progress: Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.Null()], { description: 'Percent, from the model\'s logs, while it runs.' }),
    error: Type.Union([Type.String(), Type.Null()]),
    images: Type.Array(GeneratedImage),
    urlExpiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type Generation = Static<typeof Generation>;

export const GenerationList = Type.Object(
  {
    items: Type.Array(Generation, { description: 'Newest first.' }),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page.' }),
  },
  { additionalProperties: false },
);
export type GenerationList = Static<typeof GenerationList>;

export const GenerationListQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: GALLERY_PAGE_MAX, default: 24 })),
    modelId: Type.Optional(Type.String({ format: 'uuid' })),
    favorites: Type.Optional(Type.Boolean({ description: 'Only generations with a favourite image, and only those images.' })),
    status: Type.Optional(Type.Enum([...GENERATION_STATUSES])),
  },
  { additionalProperties: false },
);
export type GenerationListQuery = Static<typeof GenerationListQuery>;

export const UpdateImageRequest = Type.Object({ favorite: Type.Boolean() }, { additionalProperties: false });
export type UpdateImageRequest = Static<typeof UpdateImageRequest>;

export const EnhancePromptRequest = Type.Object(
  {
    prompt: Type.String({ minLength: 1, maxLength: PROMPT_MAX_LENGTH }),
    modelId: Type.Optional(Type.String({ format: 'uuid', description: 'Whose trigger word to keep; without it, no trigger word is added.' })),
  },
  { additionalProperties: false },
);
export type EnhancePromptRequest = Static<typeof EnhancePromptRequest>;

export const EnhancePromptResponse = Type.Object(
  {
    prompt: Type.String({ description: 'The prompt as it would be sent without enhancement (trigger word added).' }),
    enhancedPrompt: Type.Union([Type.String(), Type.Null()], { description: 'Null when the LLM was slow or down.' }),
    enhancement: Type.Enum(['enhanced', 'unavailable']),
    model: Type.Union([Type.String(), Type.Null()], { description: 'The LLM that answered.' }),
  },
  { additionalProperties: false },
);
export type EnhancePromptResponse = Static<typeof EnhancePromptResponse>;

export const Preset = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.String(),
    category: Type.String(),
    promptTemplate: Type.String({ description: 'Contains `{trigger}`, replaced by the model\'s trigger word.' }),
    options: Type.Partial(GenerationOptions),
  },
  { additionalProperties: false },
);
export type Preset = Static<typeof Preset>;

export const PresetList = Type.Object({ items: Type.Array(Preset) }, { additionalProperties: false });
export type PresetList = Static<typeof PresetList>;

/** Generation settings, from the server's configuration. */
export const GenerationConfig = Type.Object(
  {
    creditsPerImage: Type.Integer({ description: 'Credits each output image costs; refunded if the generation fails.' }),
    promptMaxLength: Type.Integer(),
    maxWaitSeconds: Type.Integer({ description: 'Longest `Prefer: wait` the API honours.' }),
  },
  { additionalProperties: false },
);
export type GenerationConfig = Static<typeof GenerationConfig>;
