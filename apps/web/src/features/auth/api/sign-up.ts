import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Credentials, SessionResponse } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { startSession } from './session-response';

export function signUp(credentials: Credentials): Promise<SessionResponse> {
  return apiFetch<SessionResponse>('/api/v1/auth/signup', { method: 'POST', body: credentials, auth: false });
}

/** Creates an account and signs it in. */
export function useSignUp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: signUp,
    onSuccess: (response) => startSession(queryClient, response),
  });
}
