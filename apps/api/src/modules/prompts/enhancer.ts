import type { LlmGateway } from '../../integrations/llm.ts';

/**
 * Prompt enhancement: keeps the person's intent and their trigger word, adds
 * photographic detail (lighting, lens, setting, style), within a length cap. It
 * never fails a generation: when the LLM is slow, down or answers nonsense, the
 * original prompt is used and the result says so.
 */
export type EnhanceResult = { enhancement: 'enhanced'; prompt: string; model: string } | { enhancement: 'unavailable'; reason: string };

const SYSTEM = [
  'You improve prompts for a FLUX image model fine-tuned on one person.',
  'Rewrite the user prompt as one vivid, concrete image description: keep every subject, action and intent the person wrote,',
  'and add photographic detail: lighting, lens and camera, setting, composition, mood and style.',
  'Keep the trigger word exactly as written, once, as the name of the person in the image.',
  'Answer with the prompt only: no quotes, no preamble, no lists, no line breaks.',
].join(' ');

/** Adds the trigger word when the prompt lacks it (whole word, case-sensitive as trained). */
export function withTriggerWord(prompt: string, trigger: string | null): string {
  const text = prompt.trim();
  if (!trigger) return text;
  return new RegExp(`(^|[^A-Za-z0-9_])${trigger}([^A-Za-z0-9_]|$)`).test(text) ? text : `${trigger}, ${text}`;
}

/** Cleans an LLM answer into one line: strips quotes, labels and markdown, caps the length at a word boundary. */
export function tidyEnhancement(raw: string, maxChars: number): string {
  let text = raw.replace(/\s+/g, ' ').trim();
  text = text.replace(/^(enhanced prompt|prompt)\s*:\s*/i, '').replace(/^["'“”`*]+|["'“”`*]+$/g, '').trim();
  if (text.length > maxChars) {
    const cut = text.slice(0, maxChars);
    const space = cut.lastIndexOf(' ');
    text = (space > maxChars * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '');
  }
  return text;
}

export function createPromptEnhancer(deps: { llm: LlmGateway; maxChars: number; timeoutMs: number }) {
  return {
    async enhance(prompt: string, trigger: string | null, signal?: AbortSignal): Promise<EnhanceResult> {
      const user = trigger ? `Trigger word: ${trigger}\nPrompt: ${prompt}` : `Prompt: ${prompt}`;
      const deadline = AbortSignal.timeout(deps.timeoutMs);
      try {
        const raw = await deps.llm.complete(
          [
            { role: 'system', content: SYSTEM },
            { role: 'user', content: user },
          ],
          { maxTokens: Math.ceil(deps.maxChars / 3), signal: signal ? AbortSignal.any([signal, deadline]) : deadline },
        );
        const text = withTriggerWord(tidyEnhancement(raw, deps.maxChars), trigger);
        // An answer that lost the prompt (empty, or a refusal-sized scrap) is not an enhancement.
        if (text.length < Math.min(20, prompt.length)) return { enhancement: 'unavailable', reason: 'the enhancer gave an empty answer' };
        return { enhancement: 'enhanced', prompt: text, model: deps.llm.model };
      } catch (err) {
        return { enhancement: 'unavailable', reason: deadline.aborted ? 'the enhancer took too long' : (err as Error).message.slice(0, 200) };
      }
    },
  };
}

export type PromptEnhancer = ReturnType<typeof createPromptEnhancer>;
