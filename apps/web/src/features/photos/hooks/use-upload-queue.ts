import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import type { UploadLimits, UploadPhotosResponse } from '@visiona/shared';
import { newIdempotencyKey } from '@/lib/idempotency-key';
import { subscribeSession } from '@/lib/session';
import { photosQueryKey } from '../api/get-photos';
import { addUploadedPhotos, uploadPhotos } from '../api/upload-photos';
import {
  MAX_CONCURRENT_UPLOADS,
  createUploadItems,
  nextUploads,
  toUploadFailure,
  uploadQueueReducer,
  type UploadAction,
  type UploadItem,
} from '../utils/upload-queue';

type Uploader = typeof uploadPhotos;

/**
 * The upload queue lives outside React, so uploads carry on while the person visits another
 * page and the queue is still there when they come back. It is emptied (and every upload
 * stopped) when the person signs out or another person signs in.
 */
class UploadQueueStore {
  private items: UploadItem[] = [];
  private readonly files = new Map<string, File>();
  /** One Idempotency-Key per queued file, reused when it is retried. */
  private readonly keys = new Map<string, string>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly listeners = new Set<() => void>();
  private nextId = 1;
  queryClient: QueryClient | null = null;

  constructor(
    private readonly upload: Uploader,
    private readonly concurrency: number,
  ) {}

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  getSnapshot = () => this.items;

  add(files: readonly File[], limits: UploadLimits): void {
    const items = createUploadItems(files, limits, () => `upload-${this.nextId++}`);
    items.forEach((item, index) => {
      const file = files[index];
      if (item.status === 'queued' && file) this.files.set(item.id, file);
    });
    this.dispatch({ type: 'add', items });
    this.pump();
  }

  retry(id: string): void {
    this.dispatch({ type: 'retry', id });
    this.pump();
  }

  remove(id: string): void {
    this.controllers.get(id)?.abort();
    this.files.delete(id);
    this.keys.delete(id);
    this.dispatch({ type: 'remove', id });
    this.pump();
  }

  clearFinished(): void {
    const before = this.items;
    this.dispatch({ type: 'clearFinished' });
    for (const item of before) {
      if (this.items.includes(item)) continue;
      this.files.delete(item.id);
      this.keys.delete(item.id);
    }
  }

  reset(): void {
    for (const controller of this.controllers.values()) controller.abort();
    this.controllers.clear();
    this.files.clear();
    if (this.items.length > 0) this.dispatch({ type: 'reset' });
  }

  private dispatch(action: UploadAction): void {
    const next = uploadQueueReducer(this.items, action);
    if (next === this.items) return;
    this.items = next;
    for (const listener of this.listeners) listener();
  }

  private pump(): void {
    for (const item of nextUploads(this.items, this.concurrency)) this.start(item);
  }

  private start(item: UploadItem): void {
    const file = this.files.get(item.id);
    if (!file) {
      this.dispatch({ type: 'fail', id: item.id, error: { message: 'Choose this file again to upload it.', requestId: null, retryable: false } });
      return;
    }
    const controller = new AbortController();
    this.controllers.set(item.id, controller);
    this.dispatch({ type: 'start', id: item.id });
    const idempotencyKey = this.keys.get(item.id) ?? newIdempotencyKey();
    this.keys.set(item.id, idempotencyKey);
    this.upload(file, {
      signal: controller.signal,
      idempotencyKey,
      onProgress: ({ loaded, total }) => this.dispatch({ type: 'progress', id: item.id, loaded, total }),
    })
      .then((response: UploadPhotosResponse) => {
        this.files.delete(item.id);
        this.keys.delete(item.id);
        const warningCount = response.items.filter((photo) => photo.warnings.length > 0).length;
        this.dispatch({ type: 'succeed', id: item.id, photoCount: response.items.length, warningCount });
        if (this.queryClient) addUploadedPhotos(this.queryClient, response);
      })
      .catch((error: unknown) => {
        // Removed from the queue (or signed out) while uploading: nothing left to report.
        if (controller.signal.aborted) return;
        this.dispatch({ type: 'fail', id: item.id, error: toUploadFailure(error) });
      })
      .finally(() => {
        this.controllers.delete(item.id);
        this.pump();
        if (this.controllers.size === 0) void this.queryClient?.invalidateQueries({ queryKey: photosQueryKey });
      });
  }
}

const store = new UploadQueueStore(uploadPhotos, MAX_CONCURRENT_UPLOADS);
subscribeSession(() => store.reset());

/** The upload queue and what can be done with it. */
export function useUploadQueue(limits: UploadLimits) {
  const queryClient = useQueryClient();
  useEffect(() => {
    store.queryClient = queryClient;
  }, [queryClient]);
  const items = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const uploading = items.some((item) => item.status === 'uploading' || item.status === 'queued');

  // Leaving the site mid-upload loses the rest: let the browser ask first.
  useEffect(() => {
    if (!uploading) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [uploading]);

  return {
    items,
    uploading,
    add: useCallback((files: readonly File[]) => store.add(files, limits), [limits]),
    retry: useCallback((id: string) => store.retry(id), []),
    remove: useCallback((id: string) => store.remove(id), []),
    clearFinished: useCallback(() => store.clearFinished(), []),
  };
}
