import OpenAI from 'openai';
import type { Config } from '../config.ts';

/** One chat completion: the only call Visiona makes to an LLM. The only module that imports the SDK. */
export interface LlmGateway {
  readonly model: string;
  complete(messages: { role: 'system' | 'user'; content: string }[], opts: { maxTokens: number; signal?: AbortSignal }): Promise<string>;
}

/**
 * Any OpenAI-compatible chat-completions server: OpenAI, Anthropic's compatible
 * endpoint, Ollama, or the local emulator. No SDK retries: a slow enhancer must not
 * hold a generation up; the caller falls back to the original prompt.
 */
export function createLlmGateway(config: Config['llm']): LlmGateway {
  const client = new OpenAI({ apiKey: config.apiKey, baseURL: config.baseUrl, timeout: config.timeoutMs, maxRetries: 0 });
  return {
    model: config.model,
    async complete(messages, opts) {
      const res = await client.chat.completions.create(
        { model: config.model, messages, max_tokens: opts.maxTokens, temperature: 0.7 },
        opts.signal ? { signal: opts.signal } : {},
      );
      return res.choices[0]?.message?.content ?? '';
    },
  };
}
