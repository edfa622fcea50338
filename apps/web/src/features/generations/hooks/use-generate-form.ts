import { useEffect, useId, useRef, useState } from 'react';
import type { Generation, GenerationConfig, Model, Preset } from '@visiona/shared';
import { ApiError } from '@/lib/api-client';
import { mapApiErrorToForm, type FieldErrors } from '@/lib/form-errors';
import { newIdempotencyKey } from '@/lib/idempotency-key';
import { useCreateGeneration } from '../api/create-generation';
import { useEnhancePrompt } from '../api/enhance-prompt';
import {
  generateFieldLabels,
  generateFields,
  initialModelId,
  isOptionField,
  nextStep,
  toCreateGenerationRequest,
  validateGenerateForm,
  type EnhancementPreview,
  type GenerateField,
  type GenerateValues,
} from '../utils/generate-form';
import { clampImageCount, initialOptionValues, optionValuesFrom, type OptionValues } from '../utils/options';
import { fillPromptTemplate, insertTriggerWord } from '../utils/prompt';
import { addSessionGeneration } from './use-session-generations';

export interface UseGenerateFormOptions {
  readyModels: readonly Model[];
  config: GenerationConfig;
  enhancementEnabled: boolean;
  /** `?model=` from a link: start with that model. */
  requestedModelId: string | null;
  /** The API accepted a generation (credits were reserved). */
  onAccepted: (generation: Generation) => void;
  /** The plan's images per generation; undefined while it is not known (the API still enforces it). */
  maxImages?: number;
}

/** The Generate page's state: values, the enhancement preview, checks, and sending. */
export function useGenerateForm({ readyModels, config, enhancementEnabled, requestedModelId, onAccepted, maxImages }: UseGenerateFormOptions) {
  const create = useCreateGeneration();
  const enhance = useEnhancePrompt();
  const baseId = useId();
  const [values, setValues] = useState<GenerateValues>(() => ({
    modelId: initialModelId(readyModels, requestedModelId),
    prompt: '',
    enhance: false,
    options: initialOptionValues(),
  }));
  const [preview, setPreview] = useState<EnhancementPreview | null>(null);
  const [errors, setErrors] = useState<FieldErrors<GenerateField>>({});
  const [formError, setFormError] = useState<ApiError | null>(null);
  const [optionsOpen, setOptionsOpen] = useState(false);
  const [runningPresetId, setRunningPresetId] = useState<string | null>(null);
  /** The last submission's body and key: a retry of the very same body after no answer reuses the key. */
  const pending = useRef<{ json: string; key: string } | null>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const promptRef = useRef<HTMLTextAreaElement>(null);
  const acceptedRef = useRef(onAccepted);
  useEffect(() => {
    acceptedRef.current = onAccepted;
  });
  // A new form-level error takes the focus once it is on screen, so it is read out and seen.
  const [errorFocus, setErrorFocus] = useState(0);
  useEffect(() => {
    if (errorFocus > 0) alertRef.current?.focus();
  }, [errorFocus]);

  // A field to focus once it is on screen. Requests come from callbacks that run before the render that
  // shows the field: a preview's onSuccess runs before the mutation's pending state clears (React Query
  // tells the component a task later), and the enhanced prompt's box appears only then. A
  // requestAnimationFrame could run before either render and find no box, so focus waits for the commit
  // that has it.
  const [focusRequest, setFocusRequest] = useState<{ id: string } | null>(null);
  useEffect(() => {
    if (!focusRequest) return;
    const target = document.getElementById(focusRequest.id);
    if (!target) return;
    target.focus();
    setFocusRequest(null);
  });

  // The chosen model went away (deleted in another tab): fall back to another ready one.
  const modelStillReady = readyModels.some((model) => model.id === values.modelId);
  useEffect(() => {
    if (!modelStillReady && readyModels.length > 0) setValues((old) => ({ ...old, modelId: initialModelId(readyModels, null) }));
  }, [modelStillReady, readyModels]);

  // The plan allows fewer images than chosen (it just loaded, or changed): offer what it allows.
  const overPlan = clampImageCount(values.options.numOutputs, maxImages) !== values.options.numOutputs;
  useEffect(() => {
    if (overPlan) setValues((old) => ({ ...old, options: { ...old.options, numOutputs: clampImageCount(old.options.numOutputs, maxImages) } }));
  }, [overPlan, maxImages]);

  const model = readyModels.find((candidate) => candidate.id === values.modelId) ?? null;
  const step = nextStep(values, preview);
  const fieldId = (field: GenerateField | 'enhance') => `${baseId}-${field}`;

  function clearError(field: GenerateField) {
    if (errors[field]) setErrors(({ [field]: _removed, ...rest }) => rest);
  }

  function update(patch: Partial<GenerateValues>, field?: GenerateField) {
    setValues((old) => ({ ...old, ...patch }));
    if (field) clearError(field);
    setFormError(null);
  }

  function setOption<K extends keyof OptionValues>(key: K, value: OptionValues[K]) {
    setValues((old) => ({ ...old, options: { ...old.options, [key]: value } }));
    clearError(key);
    setFormError(null);
  }

  function focusField(field: GenerateField) {
    // An option field is focused once its folded section has opened (the request waits for that render).
    if (isOptionField(field)) setOptionsOpen(true);
    setFocusRequest({ id: fieldId(field) });
  }

  function focusFirstInvalid(fieldErrors: FieldErrors<GenerateField>): boolean {
    const first = generateFields.find((field) => fieldErrors[field]);
    if (!first) return false;
    focusField(first);
    return true;
  }

  function insertTrigger() {
    if (!model) return;
    const box = promptRef.current;
    const { value, caret } = insertTriggerWord(values.prompt, model.triggerWord, box?.selectionStart, box?.selectionEnd);
    update({ prompt: value }, 'prompt');
    requestAnimationFrame(() => {
      box?.focus();
      box?.setSelectionRange(caret, caret);
    });
  }

  function requestPreview() {
    if (enhance.isPending) return;
    setFormError(null);
    const problems = validateGenerateForm({ ...values, enhance: false }, readyModels, config.promptMaxLength);
    const promptProblems: FieldErrors<GenerateField> = {};
    if (problems.modelId) promptProblems.modelId = problems.modelId;
    if (problems.prompt) promptProblems.prompt = problems.prompt;
    setErrors(promptProblems);
    if (focusFirstInvalid(promptProblems)) return;
    setFocusRequest(null);
    const source = { prompt: values.prompt, modelId: values.modelId };
    enhance.mutate(
      { prompt: source.prompt.trim(), modelId: source.modelId },
      {
        onSuccess: (result) => {
          setPreview({ sourcePrompt: source.prompt, modelId: source.modelId, result, edited: result.enhancedPrompt ?? '' });
          // Only an enhanced answer has a box to edit; an 'unavailable' one shows a notice instead.
          if (result.enhancement === 'enhanced') setFocusRequest({ id: fieldId('enhancedPrompt') });
        },
      },
    );
  }

  function editPreview(text: string) {
    setPreview((old) => (old ? { ...old, edited: text } : old));
    clearError('enhancedPrompt');
  }

  function discardPreview() {
    setPreview(null);
    enhance.reset();
    update({ enhance: false });
    setFocusRequest({ id: fieldId('prompt') });
  }

  function send(sendValues: GenerateValues, sendPreview: EnhancementPreview | null, presetId?: string) {
    if (create.isPending) return;
    setFormError(null);
    const clientErrors = validateGenerateForm(sendValues, readyModels, config.promptMaxLength, sendPreview);
    setErrors(clientErrors);
    if (focusFirstInvalid(clientErrors)) return;

    const body = toCreateGenerationRequest(sendValues, sendPreview, presetId);
    const json = JSON.stringify(body);
    if (pending.current?.json !== json) pending.current = { json, key: newIdempotencyKey() };
    setRunningPresetId(presetId ?? null);
    create.mutate(
      { body, idempotencyKey: pending.current.key },
      {
        onSuccess: (generation) => {
          // Accepted: the same values again are a new request (more images), with a key of their own.
          pending.current = null;
          addSessionGeneration(generation.id);
          acceptedRef.current(generation);
        },
        onError: (error) => {
          // A definite answer (not a lost request) ends this submission.
          if (error instanceof ApiError && !error.isTransient) pending.current = null;
          const { fieldErrors, formError: rest } = mapApiErrorToForm(error, generateFields, generateFieldLabels);
          setErrors(fieldErrors);
          setFormError(rest);
          if (rest) setErrorFocus((n) => n + 1);
          else focusFirstInvalid(fieldErrors);
        },
        onSettled: () => setRunningPresetId(null),
      },
    );
  }

  /** The main button: preview the enhancement first when it is on, otherwise generate. */
  function submit() {
    if (step === 'preview') return requestPreview();
    send(values, step === 'generate' ? preview : null);
  }

  /** Generates the enhancement-free version right away (the enhancer was unavailable, or the person prefers theirs). */
  function generateOriginal() {
    send({ ...values, enhance: false }, null);
  }

  /** One click: the preset's prompt with this model's trigger word, and its options, generated at once. */
  function generateWithPreset(preset: Preset) {
    if (!model) return focusField('modelId');
    const next: GenerateValues = {
      ...values,
      prompt: fillPromptTemplate(preset.promptTemplate, model.triggerWord),
      // A preset's prompt is already detailed: it goes as written.
      enhance: false,
      options: optionValuesFrom(preset.options, values.options),
    };
    next.options.numOutputs = clampImageCount(next.options.numOutputs, maxImages);
    setValues(next);
    setPreview(null);
    send(next, null, preset.id);
  }

  return {
    values,
    model,
    step,
    preview,
    errors,
    formError,
    optionsOpen,
    setOptionsOpen,
    fieldId,
    promptRef,
    alertRef,
    create,
    enhance,
    runningPresetId,
    enhancementEnabled,
    maxImages,
    setModelId: (modelId: string) => update({ modelId }, 'modelId'),
    setPrompt: (prompt: string) => update({ prompt }, 'prompt'),
    setEnhance: (on: boolean) => {
      update({ enhance: on });
      if (!on) enhance.reset();
    },
    setOption,
    resetOptions: () => {
      setValues((old) => ({ ...old, options: initialOptionValues() }));
      setErrors((old) => Object.fromEntries(Object.entries(old).filter(([field]) => !isOptionField(field as GenerateField))));
    },
    insertTrigger,
    requestPreview,
    editPreview,
    discardPreview,
    submit,
    generateOriginal,
    generateWithPreset,
  };
}

export type GenerateForm = ReturnType<typeof useGenerateForm>;
