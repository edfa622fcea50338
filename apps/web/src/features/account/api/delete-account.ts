import { useMutation } from '@tanstack/react-query';
import type { DeleteAccountRequest, DeleteAccountResponse } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { clearSession } from '@/lib/session';

/** Closes the account; the API removes its data in the background. `confirm` is the account's email address. */
export function deleteAccount(confirm: string): Promise<DeleteAccountResponse> {
  const body: DeleteAccountRequest = { confirm };
  return apiFetch<DeleteAccountResponse>('/api/v1/me', { method: 'DELETE', body });
}

/**
 * Deletes the account, then ends the session here (a Clerk session through Clerk): every
 * session and token of the account stops working at once anyway. Ending it in the mutation's
 * own onSuccess, before anything refreshes, keeps a refetch from meeting a 401 first.
 */
export function useDeleteAccount() {
  return useMutation({
    mutationFn: deleteAccount,
    onSuccess: () => clearSession('account-deleted'),
  });
}
