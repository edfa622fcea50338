import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { ApiError, NETWORK_ERROR_MESSAGE, apiClientConfig, apiUrl, parseApiResponse, resolveToken } from '@/lib/api-client';
import { defaultExportFilename, filenameFromDisposition, formatDownloaded } from '../utils/export-file';
import { saveBlob } from '../utils/save-file';

export const EXPORT_PATH = '/api/v1/me/export';

/** How often progress is reported while the zip streams in: often enough to move, rarely enough not to re-render per chunk. */
const PROGRESS_INTERVAL_MS = 150;

export interface ExportDownload {
  blob: Blob;
  filename: string;
  bytes: number;
}

export interface DownloadExportOptions {
  signal?: AbortSignal;
  /** Bytes received so far. */
  onProgress?: (bytes: number) => void;
}

/**
 * Downloads the account's export with the session's bearer token (a plain link could not send
 * it). Failures are ApiErrors, as apiFetch's; a download that breaks off midway is one too,
 * since a cut-off zip must never be saved as if it were whole. Aborting rejects with the AbortError.
 */
export async function downloadExport({ signal, onProgress }: DownloadExportOptions = {}): Promise<ExportDownload> {
  const config = apiClientConfig();
  const token = await resolveToken();
  const headers: Record<string, string> = { Accept: 'application/zip, application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;

  let response: Response;
  try {
    response = await config.fetch(apiUrl(EXPORT_PATH), { method: 'GET', headers, signal, credentials: 'omit' });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new ApiError({ kind: 'network', statusCode: 0, error: 'Network Error', message: NETWORK_ERROR_MESSAGE, cause });
  }
  if (response.status === 401 && token) config.onUnauthorized();
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !response.body || !/zip/i.test(type)) {
    await parseApiResponse<unknown>(response);
    // A 2xx that is not a zip: not the API talking (a proxy's page, the SPA's own index.html).
    throw new ApiError({ kind: 'invalid-response', statusCode: response.status, error: 'Invalid Response', message: NETWORK_ERROR_MESSAGE });
  }

  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let reportedAt = 0;
  onProgress?.(0);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.byteLength;
      const now = Date.now();
      if (now - reportedAt >= PROGRESS_INTERVAL_MS) {
        reportedAt = now;
        onProgress?.(bytes);
      }
    }
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new ApiError({
      kind: 'network',
      statusCode: 0,
      error: 'Download Interrupted',
      message: `The download broke off after ${formatDownloaded(bytes)}, before the export was complete, so nothing was saved. Try again.`,
      requestId: response.headers.get('x-request-id'),
      cause,
    });
  }
  onProgress?.(bytes);
  return {
    blob: new Blob(chunks as BlobPart[], { type: 'application/zip' }),
    filename: filenameFromDisposition(response.headers.get('content-disposition')) ?? defaultExportFilename(),
    bytes,
  };
}

/**
 * Exports the account's data and saves the zip. `received` counts the bytes in while it
 * streams; `cancel` stops it (leaving the page does too).
 */
export function useExportData() {
  const [received, setReceived] = useState(0);
  const controller = useRef<AbortController | null>(null);
  const mutation = useMutation({
    mutationFn: async () => {
      controller.current?.abort();
      const current = new AbortController();
      controller.current = current;
      setReceived(0);
      const result = await downloadExport({ signal: current.signal, onProgress: setReceived });
      saveBlob(result.blob, result.filename);
      return { filename: result.filename, bytes: result.bytes };
    },
  });
  useEffect(() => () => controller.current?.abort(), []);

  const { reset } = mutation;
  function cancel() {
    controller.current?.abort();
    controller.current = null;
    reset();
  }
  return { ...mutation, received, cancel };
}
