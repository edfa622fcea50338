import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import type { AuditList } from '@visiona/shared';
import { apiFetch } from '@/lib/api-client';
import { useSession } from '@/lib/session';

export const AUDIT_PAGE_SIZE = 20;

/** One page of the person's audit history, newest first. */
export function getAudit(cursor: string | undefined, { signal }: { signal?: AbortSignal } = {}): Promise<AuditList> {
  const params = new URLSearchParams({ limit: String(AUDIT_PAGE_SIZE) });
  if (cursor) params.set('cursor', cursor);
  return apiFetch<AuditList>(`/api/v1/audit?${params.toString()}`, { signal });
}

export const auditQueryKey = ['audit'] as const;

export const auditQueryOptions = infiniteQueryOptions({
  queryKey: auditQueryKey,
  queryFn: ({ pageParam, signal }) => getAudit(pageParam, { signal }),
  initialPageParam: undefined as string | undefined,
  getNextPageParam: (page: AuditList) => page.nextCursor ?? undefined,
});

export function useAudit() {
  const session = useSession();
  return useInfiniteQuery({ ...auditQueryOptions, enabled: session !== null });
}
