import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api-client';

/** Retry only what may succeed on a second try: no answer, or a 5xx. Never a 4xx. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && !error.isTransient) return false;
  if (error instanceof ApiError && error.statusCode === 429) return false;
  return failureCount < 1;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        retryDelay: 800,
        staleTime: 30_000,
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
}
