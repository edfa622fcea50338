import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Credentials, SessionResponse } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { startSession } from './session-response';

export function signIn(credentials: Credentials): Promise<SessionResponse> {
  return apiFetch<SessionResponse>('/api/v1/auth/login', { method: 'POST', body: credentials, auth: false });
}

/** Signs in; on success the session is stored and the route guard moves on. */
export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: signIn,
    onSuccess: (response) => startSession(queryClient, response),
  });
}
