import type { CreateGenerationRequest, EnhancePromptResponse, Model } from '@visiona/shared';
import { optionFieldLabels, optionFields, toGenerationOptions, validateOptions, type OptionField, type OptionValues } from './options';
import { validatePrompt } from './prompt';
import type { FieldErrors } from '@/lib/form-errors';

/** Every field that can show an error, in the page's order: the first invalid one gets the focus. */
export const generateFields = ['modelId', 'prompt', 'enhancedPrompt', ...optionFields] as const;
export type GenerateField = (typeof generateFields)[number];

export const generateFieldLabels: Record<GenerateField, string> = {
  modelId: 'Model',
  prompt: 'Prompt',
  enhancedPrompt: 'Enhanced prompt',
  ...optionFieldLabels,
};

export const optionFieldSet: ReadonlySet<GenerateField> = new Set<GenerateField>(optionFields);

export function isOptionField(field: GenerateField): field is OptionField {
  return optionFieldSet.has(field);
}

/** An enhancement the person has asked to see, and what they made of it. */
export interface EnhancementPreview {
  /** The prompt and model it was made for: editing either makes it out of date. */
  sourcePrompt: string;
  modelId: string;
  result: EnhancePromptResponse;
  /** The enhanced prompt as shown in its box (the person may edit it). */
  edited: string;
}

/** The preview still matches what would be sent. */
export function isPreviewCurrent(preview: EnhancementPreview | null, prompt: string, modelId: string): preview is EnhancementPreview {
  return preview !== null && preview.sourcePrompt === prompt && preview.modelId === modelId;
}

export interface GenerateValues {
  modelId: string;
  prompt: string;
  enhance: boolean;
  options: OptionValues;
}

/**
 * What the main button does next:
 * - `preview`: enhancement is on and there is no current preview: ask the LLM first;
 * - `generate`: send (with the previewed enhancement when there is one);
 * - `generate-original`: enhancement is on but unavailable: send the prompt as written.
 */
export type NextStep = 'preview' | 'generate' | 'generate-original';

export function nextStep(values: GenerateValues, preview: EnhancementPreview | null): NextStep {
  if (!values.enhance) return 'generate';
  if (!isPreviewCurrent(preview, values.prompt, values.modelId)) return 'preview';
  return preview.result.enhancement === 'enhanced' && preview.result.enhancedPrompt !== null ? 'generate' : 'generate-original';
}

export function validateGenerateForm(values: GenerateValues, models: readonly Pick<Model, 'id'>[], promptMaxLength: number, preview?: EnhancementPreview | null): FieldErrors<GenerateField> {
  const errors: FieldErrors<GenerateField> = { ...validateOptions(values.options) };
  if (!models.some((model) => model.id === values.modelId)) errors.modelId = 'Choose one of your ready models.';
  const prompt = validatePrompt(values.prompt, promptMaxLength);
  if (prompt) errors.prompt = prompt;
  if (values.enhance && isPreviewCurrent(preview ?? null, values.prompt, values.modelId) && preview!.result.enhancement === 'enhanced') {
    const edited = preview!.edited.trim();
    if (edited === '') errors.enhancedPrompt = 'The enhanced prompt is empty. Write one, or use your own prompt instead.';
    else if (edited.length > promptMaxLength * 2) errors.enhancedPrompt = `The enhanced prompt can be at most ${promptMaxLength * 2} characters long.`;
  }
  return errors;
}

/** The body of POST /api/v1/generations, from values that passed validateGenerateForm. */
export function toCreateGenerationRequest(values: GenerateValues, preview: EnhancementPreview | null, presetId?: string): CreateGenerationRequest {
  const { seed, ...options } = toGenerationOptions(values.options);
  const body: CreateGenerationRequest = {
    modelId: values.modelId,
    prompt: values.prompt.trim(),
    // A random seed is sent as no seed at all: the API's default. (An explicit `null` was coerced to 0
    // by the API's validator, which made every "random" image the same; see the report to the API.)
    options: seed === null ? options : { ...options, seed },
  };
  if (values.enhance && isPreviewCurrent(preview, values.prompt, values.modelId) && preview.result.enhancement === 'enhanced') {
    // The person saw (and may have edited) this text: it is used as is, without a second LLM call.
    body.enhance = true;
    body.enhancedPrompt = preview.edited.trim();
  }
  if (presetId) body.presetId = presetId;
  return body;
}

/** The model to start with: the one asked for (a link from the Models page), or the newest ready one. */
export function initialModelId(readyModels: readonly Pick<Model, 'id'>[], requested: string | null): string {
  if (requested && readyModels.some((model) => model.id === requested)) return requested;
  return readyModels[0]?.id ?? '';
}
