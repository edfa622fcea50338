import { GENERATION_DEFAULTS, type EnhancePromptResponse, type GeneratedImage, type Generation, type GenerationList } from '@visiona/shared';
import { describe, expect, it } from 'vitest';
import { checkGenerationCost, generationCost } from '@/features/generations/utils/cost';
import {
  GALLERY_POLL_MS,
  GENERATION_POLL_MS,
  flattenGenerations,
  flattenImages,
  galleryRefetchInterval,
  generationRefetchInterval,
  indexAfterRemoval,
  keepFreshGenerationUrls,
  msUntilUrlRefresh,
  nextCursorOf,
  pagesWithFavorite,
  pagesWithoutGeneration,
} from '@/features/generations/utils/gallery';
import {
  generateFieldLabels,
  generateFields,
  initialModelId,
  nextStep,
  toCreateGenerationRequest,
  validateGenerateForm,
  type EnhancementPreview,
  type GenerateValues,
} from '@/features/generations/utils/generate-form';
import {
  ASPECT_RATIO_ORDER,
  aspectRatioValue,
  describeOptions,
  initialOptionValues,
  optionValuesFrom,
  optionsChanged,
  randomSeed,
  toGenerationOptions,
  validateOptions,
  type OptionValues,
} from '@/features/generations/utils/options';
import { describePromptLength, fillPromptTemplate, hasTriggerWord, insertTriggerWord, shortenPrompt, validatePrompt } from '@/features/generations/utils/prompt';
import { ApiError } from '@/lib/api-client';
import { mapApiErrorToForm } from '@/lib/form-errors';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const inMinutes = (m: number) => new Date(NOW + m * 60_000).toISOString();

function image(id: string, index: number, over: Partial<GeneratedImage> = {}): GeneratedImage {
  return {
    id,
    index,
    contentType: 'image/webp',
    width: 1024,
    height: 1024,
    byteSize: 1000,
    favorite: false,
    url: `https://storage/${id}?v=1`,
    thumbnailUrl: `https://storage/${id}-thumb?v=1`,
    downloadUrl: `https://storage/${id}?download&v=1`,
    ...over,
  };
}

function generation(id: string, over: Partial<Generation> = {}): Generation {
  return {
    id,
    modelId: 'model-1',
    modelName: 'Me',
    status: 'Succeeded',
    prompt: 'ZXQ_ANNA on a beach',
    enhancedPrompt: null,
    enhancement: 'none',
    presetId: null,
    options: { ...GENERATION_DEFAULTS },
    creditsCost: 1,
    progress: null,
    error: null,
    images: [image(`${id}-a`, 0)],
    urlExpiresAt: inMinutes(60),
    createdAt: inMinutes(-5),
    completedAt: inMinutes(-4),
    ...over,
  };
}

describe('the trigger word in a prompt', () => {
  it('finds it as a whole word, case-sensitive like the API', () => {
    expect(hasTriggerWord('a photo of ZXQ_ANNA at dawn', 'ZXQ_ANNA')).toBe(true);
    expect(hasTriggerWord('ZXQ_ANNA, at dawn', 'ZXQ_ANNA')).toBe(true);
    expect(hasTriggerWord('(ZXQ_ANNA)', 'ZXQ_ANNA')).toBe(true);
    expect(hasTriggerWord('zxq_anna at dawn', 'ZXQ_ANNA')).toBe(false);
    expect(hasTriggerWord('ZXQ_ANNAS at dawn', 'ZXQ_ANNA')).toBe(false);
    expect(hasTriggerWord('MY_ZXQ_ANNA', 'ZXQ_ANNA')).toBe(false);
    expect(hasTriggerWord('', 'ZXQ_ANNA')).toBe(false);
  });

  it('inserts it at the caret with spaces where words touch it, and says where the caret goes', () => {
    expect(insertTriggerWord('', 'ZXQ')).toEqual({ value: 'ZXQ', caret: 3 });
    expect(insertTriggerWord('on a beach', 'ZXQ', 0, 0)).toEqual({ value: 'ZXQ on a beach', caret: 3 });
    expect(insertTriggerWord('a photo of', 'ZXQ', 10, 10)).toEqual({ value: 'a photo of ZXQ', caret: 14 });
    expect(insertTriggerWord('a photo of  at dawn', 'ZXQ', 11, 11)).toEqual({ value: 'a photo of ZXQ at dawn', caret: 14 });
    // A selection is replaced.
    expect(insertTriggerWord('a photo of me, smiling', 'ZXQ', 11, 13)).toEqual({ value: 'a photo of ZXQ, smiling', caret: 14 });
    // Out-of-range or missing positions are clamped to the text.
    expect(insertTriggerWord('hello', 'ZXQ', 99, 120).value).toBe('hello ZXQ');
    expect(insertTriggerWord('hello', 'ZXQ', null, null).value).toBe('ZXQ hello');
  });

  it('fills a preset template with the trigger word wherever {trigger} appears', () => {
    expect(fillPromptTemplate('studio headshot of {trigger}, grey backdrop', 'ZXQ_ANNA')).toBe('studio headshot of ZXQ_ANNA, grey backdrop');
    expect(fillPromptTemplate('{trigger} and {trigger}', 'A')).toBe('A and A');
    expect(fillPromptTemplate('  no placeholder  ', 'A')).toBe('no placeholder');
  });
});

describe('the prompt box', () => {
  it('counts characters against the limit and speaks only near it', () => {
    expect(describePromptLength('hello', 1000)).toMatchObject({ text: '5 / 1,000', remaining: 995, nearLimit: false, over: false, announcement: null });
    expect(describePromptLength('x'.repeat(950), 1000)).toMatchObject({ nearLimit: true, over: false, announcement: '50 characters left' });
    expect(describePromptLength('x'.repeat(999), 1000).announcement).toBe('1 character left');
    expect(describePromptLength('x'.repeat(1002), 1000)).toMatchObject({ nearLimit: false, over: true, announcement: '2 characters over the limit' });
  });

  it('asks for a prompt within the limit', () => {
    expect(validatePrompt('   ', 1000)).toMatch(/^Describe the picture/);
    expect(validatePrompt('x'.repeat(1000), 1000)).toBeUndefined();
    expect(validatePrompt('x'.repeat(1001), 1000)).toBe('Prompts can be at most 1,000 characters long. Shorten it by 1.');
  });

  it('shortens long prompts at a word boundary for cards and alt text', () => {
    expect(shortenPrompt('  a   short\nprompt ')).toBe('a short prompt');
    const long = 'word '.repeat(60);
    const short = shortenPrompt(long, 40);
    expect(short.length).toBeLessThanOrEqual(40);
    expect(short.endsWith('word…')).toBe(true);
  });
});

describe('the cost', () => {
  it('is the number of images times the credits per image', () => {
    expect(generationCost(1, 1)).toBe(1);
    expect(generationCost(4, 3)).toBe(12);
    expect(generationCost(Number.NaN, 3)).toBe(0);
  });

  it('says what is left, and when the balance falls short', () => {
    expect(checkGenerationCost(2, 5, undefined)).toEqual({ cost: 10, after: null, short: false, missing: 0 });
    expect(checkGenerationCost(2, 5, 10)).toEqual({ cost: 10, after: 0, short: false, missing: 0 });
    expect(checkGenerationCost(4, 5, 12)).toEqual({ cost: 20, after: -8, short: true, missing: 8 });
  });
});

describe('the options', () => {
  it('start from the API defaults and go out as the request options', () => {
    const values = initialOptionValues();
    expect(validateOptions(values)).toEqual({});
    expect(toGenerationOptions(values)).toEqual(GENERATION_DEFAULTS);
    expect(optionsChanged(values)).toBe(false);
    expect(describeOptions(values)).toBe('1 image · Square 1:1 · WebP · random seed');
  });

  it('keep every value inside GENERATION_RANGES', () => {
    const ok = (over: Partial<OptionValues>) => validateOptions({ ...initialOptionValues(), ...over });
    expect(ok({ numOutputs: 0 }).numOutputs).toBe('Number of images must be a whole number from 1 to 4.');
    expect(ok({ numOutputs: 5 }).numOutputs).toBeDefined();
    expect(ok({ numOutputs: 4 }).numOutputs).toBeUndefined();
    expect(ok({ seed: '' }).seed).toBeUndefined();
    expect(ok({ seed: '0' }).seed).toBeUndefined();
    expect(ok({ seed: '2147483647' }).seed).toBeUndefined();
    expect(ok({ seed: '2147483648' }).seed).toBe('Seed must be a whole number from 0 to 2,147,483,647.');
    expect(ok({ seed: '-1' }).seed).toMatch(/or empty for a random one/);
    expect(ok({ seed: '12.5' }).seed).toBeDefined();
    expect(ok({ guidanceScale: '10.5' }).guidanceScale).toBe('Guidance must be a number from 0 to 10.');
    expect(ok({ guidanceScale: '3.5' }).guidanceScale).toBeUndefined();
    expect(ok({ numInferenceSteps: '0' }).numInferenceSteps).toBe('Steps must be a whole number from 1 to 50.');
    expect(ok({ numInferenceSteps: '28.5' }).numInferenceSteps).toBeDefined();
    expect(ok({ loraScale: '-1' }).loraScale).toBeUndefined();
    expect(ok({ loraScale: '-1.05' }).loraScale).toBe('Likeness strength must be a number from -1 to 3.');
    expect(ok({ loraScale: 'strong' }).loraScale).toBeDefined();
    expect(ok({ aspectRatio: '5:7' as OptionValues['aspectRatio'] }).aspectRatio).toBe('Choose an aspect ratio.');
  });

  it('convert typed numbers, and a seed, to the request', () => {
    const values: OptionValues = { ...initialOptionValues(), numOutputs: 3, aspectRatio: '4:5', outputFormat: 'png', seed: ' 42 ', guidanceScale: '3.5', numInferenceSteps: '30', loraScale: '0.85' };
    expect(toGenerationOptions(values)).toEqual({ numOutputs: 3, aspectRatio: '4:5', outputFormat: 'png', seed: 42, guidanceScale: 3.5, numInferenceSteps: 30, loraScale: 0.85 });
    expect(optionsChanged(values)).toBe(true);
    expect(describeOptions(values)).toBe('3 images · Portrait 4:5 · PNG · seed 42');
  });

  it('take a preset’s options over the current ones, keeping the rest', () => {
    const current = { ...initialOptionValues(), numOutputs: 2, seed: '7' };
    expect(optionValuesFrom({ aspectRatio: '21:9' }, current)).toEqual({ ...current, aspectRatio: '21:9' });
    expect(optionValuesFrom({ seed: null, guidanceScale: 4 }, current)).toMatchObject({ seed: '', guidanceScale: '4', numOutputs: 2 });
  });

  it('list every aspect ratio once, with its shape', () => {
    expect(new Set(ASPECT_RATIO_ORDER).size).toBe(11);
    expect(aspectRatioValue('16:9')).toBeCloseTo(16 / 9);
    expect(aspectRatioValue('nonsense')).toBe(1);
    for (let i = 0; i < 50; i++) {
      const seed = randomSeed();
      expect(Number.isInteger(seed) && seed >= 0 && seed <= 2_147_483_647).toBe(true);
    }
    expect(randomSeed(() => 0.999999999999)).toBe(2_147_483_647);
  });
});

describe('the generate form', () => {
  const models = [{ id: 'm-new' }, { id: 'm-old' }];
  const values = (over: Partial<GenerateValues> = {}): GenerateValues => ({ modelId: 'm-new', prompt: 'ZXQ on a boat', enhance: false, options: initialOptionValues(), ...over });
  const enhanced: EnhancePromptResponse = { prompt: 'ZXQ on a boat', enhancedPrompt: 'ZXQ on a sailing boat at dawn, 35mm', enhancement: 'enhanced', model: 'gpt-4o' };
  const preview = (over: Partial<EnhancementPreview> = {}): EnhancementPreview => ({ sourcePrompt: 'ZXQ on a boat', modelId: 'm-new', result: enhanced, edited: enhanced.enhancedPrompt!, ...over });

  it('starts with the model a link asked for, or the newest ready one', () => {
    expect(initialModelId(models, 'm-old')).toBe('m-old');
    expect(initialModelId(models, 'someone-else')).toBe('m-new');
    expect(initialModelId([], null)).toBe('');
  });

  it('previews the enhancement before sending, and only while it matches the prompt and model', () => {
    expect(nextStep(values(), null)).toBe('generate');
    expect(nextStep(values({ enhance: true }), null)).toBe('preview');
    expect(nextStep(values({ enhance: true }), preview())).toBe('generate');
    expect(nextStep(values({ enhance: true, prompt: 'ZXQ on a ship' }), preview())).toBe('preview');
    expect(nextStep(values({ enhance: true, modelId: 'm-old' }), preview())).toBe('preview');
    const unavailable: EnhancePromptResponse = { ...enhanced, enhancedPrompt: null, enhancement: 'unavailable', model: null };
    expect(nextStep(values({ enhance: true }), preview({ result: unavailable, edited: '' }))).toBe('generate-original');
  });

  it('sends the previewed (and edited) enhancement as enhancedPrompt, and nothing stale', () => {
    const { seed: _random, ...withoutSeed } = GENERATION_DEFAULTS;
    // A random seed goes as no seed (the API's default), never as an explicit null.
    expect(toCreateGenerationRequest(values({ prompt: '  ZXQ on a boat ' }), null)).toEqual({ modelId: 'm-new', prompt: 'ZXQ on a boat', options: withoutSeed });
    expect(toCreateGenerationRequest(values({ options: { ...initialOptionValues(), seed: '42' } }), null).options?.seed).toBe(42);
    expect(toCreateGenerationRequest(values({ enhance: true }), preview({ edited: ' ZXQ on a red boat ' }))).toMatchObject({ enhance: true, enhancedPrompt: 'ZXQ on a red boat' });
    const stale = toCreateGenerationRequest(values({ enhance: true, prompt: 'ZXQ swimming' }), preview());
    expect(stale.enhancedPrompt).toBeUndefined();
    expect(stale.enhance).toBeUndefined();
    expect(toCreateGenerationRequest(values(), null, 'studio-headshot').presetId).toBe('studio-headshot');
  });

  it('checks the model, the prompt, the options and an emptied enhancement before sending', () => {
    expect(validateGenerateForm(values(), models, 1000)).toEqual({});
    expect(validateGenerateForm(values({ modelId: 'gone', prompt: '' }), models, 1000)).toEqual({
      modelId: 'Choose one of your ready models.',
      prompt: expect.stringMatching(/^Describe the picture/),
    });
    expect(validateGenerateForm(values({ options: { ...initialOptionValues(), seed: 'abc' } }), models, 1000).seed).toBeDefined();
    expect(validateGenerateForm(values({ enhance: true }), models, 1000, preview({ edited: '  ' })).enhancedPrompt).toMatch(/empty/);
  });

  it('puts the API’s field errors next to their fields, options included', () => {
    const error = new ApiError({
      kind: 'http',
      statusCode: 400,
      error: 'Bad Request',
      message: 'Invalid request',
      details: [
        { field: 'body.prompt', message: 'must NOT have more than 1000 characters' },
        { field: 'body.options.numInferenceSteps', message: 'must be <= 50' },
      ],
    });
    const { fieldErrors, formError } = mapApiErrorToForm(error, generateFields, generateFieldLabels);
    expect(fieldErrors).toEqual({ prompt: 'Prompt must NOT have more than 1000 characters.', numInferenceSteps: 'Steps must be <= 50.' });
    expect(formError).toBeNull();
    const payment = new ApiError({ kind: 'http', statusCode: 402, error: 'Payment Required', code: 'payment_required', message: 'Not enough credits' });
    expect(mapApiErrorToForm(payment, generateFields, generateFieldLabels).formError).toBe(payment);
  });
});

describe('the gallery', () => {
  it('flattens pages into images, newest generation first, each one’s images in order, each generation once', () => {
    const a = generation('a', { images: [image('a2', 1), image('a1', 0)] });
    const b = generation('b');
    const pages: GenerationList[] = [
      { items: [a, b], nextCursor: 'c1' },
      // The list moved while paging: b shows up again on the next page.
      { items: [b, generation('c', { images: [] })], nextCursor: null },
    ];
    expect(flattenImages(pages).map((item) => item.image.id)).toEqual(['a1', 'a2', 'b-a']);
    expect(flattenImages(pages)[0]!.generation).toBe(a);
    expect(flattenGenerations(pages).map((g) => g.id)).toEqual(['a', 'b', 'c']);
    expect(flattenImages(undefined)).toEqual([]);
    expect(nextCursorOf(pages[0]!)).toBe('c1');
    expect(nextCursorOf(pages[1]!)).toBeUndefined();
  });

  it('polls a pending generation every 1.5 s, then only to renew its URLs before they expire', () => {
    expect(generationRefetchInterval(generation('p', { status: 'Processing', images: [], urlExpiresAt: null }), NOW)).toBe(GENERATION_POLL_MS);
    expect(generationRefetchInterval(generation('d', { urlExpiresAt: inMinutes(60) }), NOW)).toBe(59 * 60_000);
    expect(generationRefetchInterval(generation('f', { status: 'Failed', images: [], urlExpiresAt: null }), NOW)).toBe(false);
    expect(generationRefetchInterval(undefined, NOW)).toBe(false);
    // Short-lived URLs are renewed a fifth of their life early, never in a tight loop.
    expect(msUntilUrlRefresh([generation('s', { urlExpiresAt: new Date(NOW + 100_000).toISOString() })], NOW)).toBe(80_000);
    expect(msUntilUrlRefresh([generation('x', { urlExpiresAt: new Date(NOW - 1000).toISOString() })], NOW)).toBe(1000);
  });

  it('refreshes the gallery while something is being made, and before its URLs expire', () => {
    const done = { items: [generation('d')], nextCursor: null };
    expect(galleryRefetchInterval([done], NOW)).toBe(59 * 60_000);
    expect(galleryRefetchInterval([{ items: [generation('p', { status: 'Processing', images: [] }), generation('d')], nextCursor: null }], NOW)).toBe(GALLERY_POLL_MS);
    expect(galleryRefetchInterval([{ items: [], nextCursor: null }], NOW)).toBe(false);
  });

  it('keeps still-good signed URLs across a refetch, so images do not download again', () => {
    const before = generation('g', { urlExpiresAt: inMinutes(50) });
    const after = generation('g', {
      urlExpiresAt: inMinutes(60),
      images: [image('g-a', 0, { url: 'https://storage/g-a?v=2', thumbnailUrl: 'https://storage/g-a-thumb?v=2', downloadUrl: 'x', favorite: true })],
    });
    const kept = keepFreshGenerationUrls(before, after, NOW);
    expect(kept.images[0]).toMatchObject({ url: before.images[0]!.url, thumbnailUrl: before.images[0]!.thumbnailUrl, favorite: true });
    expect(kept.urlExpiresAt).toBe(before.urlExpiresAt);
    // Close to expiry: take the new ones.
    expect(keepFreshGenerationUrls(generation('g', { urlExpiresAt: inMinutes(10) }), after, NOW)).toBe(after);
    // A new image arrived: take the new set.
    const more = generation('g', { urlExpiresAt: inMinutes(60), images: [image('g-a', 0), image('g-b', 1)] });
    expect(keepFreshGenerationUrls(before, more, NOW)).toBe(more);
  });

  it('updates a favourite and removes a generation in every page', () => {
    const data = { pages: [{ items: [generation('a'), generation('b')], nextCursor: 'x' }, { items: [generation('c')], nextCursor: null }], pageParams: [undefined, 'x'] };
    const liked = pagesWithFavorite(data, 'c-a', true);
    expect(liked.pages[1]!.items[0]!.images[0]!.favorite).toBe(true);
    expect(liked.pages[0]!.items[0]).toBe(data.pages[0]!.items[0]);
    const without = pagesWithoutGeneration(data, 'b');
    expect(flattenGenerations(without.pages).map((g) => g.id)).toEqual(['a', 'c']);
    expect(without.pageParams).toEqual(data.pageParams);
  });

  it('moves the lightbox to the image that takes the deleted one’s place', () => {
    const items = flattenImages([
      { items: [generation('a'), generation('b', { images: [image('b1', 0), image('b2', 1)] }), generation('c')], nextCursor: null },
    ]);
    // a-a, b1, b2, c-a: deleting b while on b2 lands on c-a (now index 1).
    expect(indexAfterRemoval(items, 2, 'b')).toBe(1);
    expect(indexAfterRemoval(items, 3, 'c')).toBe(2);
    expect(indexAfterRemoval(items, 0, 'a')).toBe(0);
    expect(indexAfterRemoval(flattenImages([{ items: [generation('a')], nextCursor: null }]), 0, 'a')).toBeNull();
  });
});
