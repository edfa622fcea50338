import { useMutation } from '@tanstack/react-query';
import type { EnhancePromptRequest, EnhancePromptResponse } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';

/**
 * Asks the LLM for a richer version of the prompt, without generating anything. When the LLM is
 * slow or down the answer is still 200, with `enhancement: 'unavailable'`.
 */
export function enhancePrompt(body: EnhancePromptRequest): Promise<EnhancePromptResponse> {
  return apiFetch<EnhancePromptResponse>('/api/v1/prompts/enhance', { method: 'POST', body });
}

export function useEnhancePrompt() {
  return useMutation({ mutationFn: enhancePrompt, gcTime: 0 });
}
