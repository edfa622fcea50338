import { describe, expect, it } from 'vitest';
import { detectIntents, enhancePrompt, MAX_ENHANCED_CHARS, parseLengthLimit, parsePromptRequest, truncateAtWord } from '../../src/llm/enhancer.ts';

const enhance = (userText: string, maxChars?: number): string => enhancePrompt(parsePromptRequest(userText), { maxChars: maxChars ?? null });

describe('llm emulator: the simulated prompt enhancer', () => {
  it('is deterministic, ignoring case and spacing, and varies between prompts', () => {
    const a = enhance('ZXQ_ME walking on a beach');
    expect(enhance('ZXQ_ME walking on a beach')).toBe(a);
    expect(enhance('  ZXQ_ME   walking on a beach \n')).toBe(a);
    const others = ['ZXQ_ME walking on a beach with a dog', 'ZXQ_ME reading on a beach', 'ZXQ_ME jogging on a beach', 'ZXQ_ME sitting on a beach'].map(enhance);
    const details = new Set([a, ...others].map((s) => s.slice(s.indexOf('beach') + 'beach'.length)));
    expect(details.size).toBeGreaterThan(1);
  });

  it('keeps the person\'s words and the trigger word exactly, and adds detail after them', () => {
    const out = enhance('a candid photo of ZXQ_ME laughing with friends, wearing a red scarf');
    expect(out.startsWith('a candid photo of ZXQ_ME laughing with friends, wearing a red scarf, ')).toBe(true);
    expect(out.length).toBeGreaterThan(120);
    expect(out).not.toMatch(/^["'“]|["'”]$/);
    expect(out).not.toMatch(/here is|enhanced prompt|simulated|emulator/i);
  });

  it('finds the trigger word on a "Trigger word:" line, inline in ALL_CAPS_WITH_UNDERSCORES, or as capitals with digits', () => {
    expect(parsePromptRequest('a portrait in Paris\nTrigger word: ZXQ_ME')).toEqual({ prompt: 'a portrait in Paris', triggerWord: 'ZXQ_ME' });
    expect(parsePromptRequest('Prompt: "a portrait in Paris"\nTrigger word: `ohwx`')).toEqual({ prompt: 'a portrait in Paris', triggerWord: 'ohwx' });
    expect(parsePromptRequest('a portrait of MY_FACE_01 in Paris').triggerWord).toBe('MY_FACE_01');
    expect(parsePromptRequest('a portrait of TOK1 in Paris').triggerWord).toBe('TOK1');
    expect(parsePromptRequest('a portrait of a woman in NYC').triggerWord).toBeNull();
    expect(parsePromptRequest('{"prompt":"a portrait","trigger_word":"ZXQ_ME"}')).toEqual({ prompt: 'a portrait', triggerWord: 'ZXQ_ME' });
  });

  it('adds the trigger word when the prompt lacks it, and never duplicates it', () => {
    const added = enhance('a man on a rooftop\nTrigger word: ZXQ_ME');
    expect(added.startsWith('ZXQ_ME, a man on a rooftop, ')).toBe(true);
    const present = enhance('ZXQ_ME on a rooftop\nTrigger word: ZXQ_ME');
    expect(present.match(/ZXQ_ME/g)).toHaveLength(1);
    expect(enhance('Trigger word: ZXQ_ME').startsWith('a portrait photo of ZXQ_ME, ')).toBe(true);
  });

  it.each([
    ['a linkedin headshot of ZXQ_ME', 'headshot', /headshot|linkedin|business|executive/i, /backdrop|office/i],
    ['ZXQ_ME at her wedding', 'wedding', /wedding|romantic|film look/i, /garden|chapel|barn|ballroom/i],
    ['ZXQ_ME on the beach', 'beach', /summer|travel|coastal|sun-washed/i, /sand|surf|dunes|water/i],
    ['ZXQ_ME walking through the city', 'city', /street|urban|lifestyle|travel/i, /street|rooftop|architecture|skyline/i],
    ['ZXQ_ME in a photo studio', 'studio', /studio|octabox|clamshell|strip-light/i, /backdrop|cyclorama/i],
  ])('picks details that fit the intent: %s', (prompt, intent, styleOrLight, setting) => {
    expect(detectIntents(prompt).map((i) => i.name)).toContain(intent);
    const added = enhance(prompt).slice(prompt.length);
    expect(added).toMatch(styleOrLight);
    expect(added).toMatch(setting);
  });

  it('combines intents: night decides the light, cinematic the lens and style, city the setting', () => {
    const prompt = 'cinematic portrait of ZXQ_ME in the city at night';
    expect(detectIntents(prompt).map((i) => i.name)).toEqual(['night', 'cinematic', 'city', 'portrait']);
    const added = enhance(prompt).slice(prompt.length);
    expect(added).toMatch(/neon|street lamps|moonlight|shop-window/);
    expect(added).toMatch(/anamorphic|cinema/);
    expect(added).toMatch(/film|movie|noir|blockbuster/);
    expect(added).toMatch(/street|rooftop|architecture/);
  });

  it(`stays within ${MAX_ENHANCED_CHARS} characters, or a limit from the system message, without cutting the person's words`, () => {
    const prompt = `ZXQ_ME ${'standing in a sunlit room full of plants and books '.repeat(9)}`.trim();
    const out = enhance(prompt);
    expect(out.length).toBeLessThanOrEqual(MAX_ENHANCED_CHARS);
    expect(out.startsWith(prompt)).toBe(true);
    const limited = enhance('ZXQ_ME in a cafe', 90);
    expect(limited.length).toBeLessThanOrEqual(90);
    expect(limited.startsWith('ZXQ_ME in a cafe, ')).toBe(true);
    const long = `ZXQ_ME ${'very '.repeat(150)}tall`;
    expect(enhance(long)).toBe(long);
  });

  it('reads a length limit from the system message', () => {
    expect(parseLengthLimit('Answer with at most 300 characters.')).toBe(300);
    expect(parseLengthLimit('Keep it under 50 words.')).toBe(300);
    expect(parseLengthLimit('You improve prompts for photos.')).toBeNull();
  });

  it('truncates at a word boundary', () => {
    expect(truncateAtWord('alpha beta, gamma delta', 13)).toBe('alpha beta');
    expect(truncateAtWord('alpha beta', 10)).toBe('alpha beta');
    expect(truncateAtWord('abcdefghij', 4)).toBe('abcd');
  });
});
