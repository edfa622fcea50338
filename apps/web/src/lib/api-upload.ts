import { ApiError, NETWORK_ERROR_MESSAGE, apiClientConfig, apiUrl, parseApiResponse, resolveToken } from './api-client';

/** The part of XMLHttpRequest an upload uses (a fake one stands in for it in unit tests). */
export type UploadRequest = Pick<
  XMLHttpRequest,
  'open' | 'setRequestHeader' | 'send' | 'abort' | 'getAllResponseHeaders' | 'status' | 'statusText' | 'responseText'
> & {
  upload: Pick<XMLHttpRequestUpload, 'onprogress'>;
  onload: XMLHttpRequest['onload'];
  onerror: XMLHttpRequest['onerror'];
  onabort: XMLHttpRequest['onabort'];
  ontimeout: XMLHttpRequest['ontimeout'];
};

export interface UploadProgress {
  loaded: number;
  /** 0 when the browser does not know the request's size. */
  total: number;
}

export interface ApiUploadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
  /** Extra request headers, e.g. `Idempotency-Key`. */
  headers?: Record<string, string>;
  /** Makes the request; XMLHttpRequest in the browser. */
  createRequest?: () => UploadRequest;
}

/** `Name: value\r\n` lines from getAllResponseHeaders() as Headers. */
export function parseResponseHeaders(raw: string): Headers {
  const headers = new Headers();
  for (const line of raw.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    try {
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    } catch {
      // A header name the Headers class refuses says nothing we need.
    }
  }
  return headers;
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function abortError(): DOMException {
  return new DOMException('The upload was canceled.', 'AbortError');
}

/**
 * POSTs multipart form data to the API with XMLHttpRequest, because fetch cannot report upload
 * progress. Answers and failures are the same as apiFetch's: the parsed JSON, or an ApiError
 * (an aborted upload rejects with an AbortError).
 */
export async function apiUpload<T>(path: string, body: FormData, options: ApiUploadOptions = {}): Promise<T> {
  const { signal, onProgress, headers = {}, createRequest = () => new XMLHttpRequest() } = options;
  if (signal?.aborted) throw abortError();
  const token = await resolveToken();
  if (signal?.aborted) throw abortError();

  return new Promise<T>((resolve, reject) => {
    const xhr = createRequest();
    const networkError = (cause?: unknown) =>
      new ApiError({ kind: 'network', statusCode: 0, error: 'Network Error', message: NETWORK_ERROR_MESSAGE, cause });
    const onAbortSignal = () => xhr.abort();
    const settle = () => signal?.removeEventListener('abort', onAbortSignal);

    xhr.open('POST', apiUrl(path));
    xhr.setRequestHeader('Accept', 'application/json');
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onProgress?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : 0 });
    xhr.onload = () => {
      settle();
      const status = xhr.status;
      if (status < 200 || status > 599) return reject(networkError());
      if (status === 401 && token) apiClientConfig().onUnauthorized();
      const response = new Response(NULL_BODY_STATUSES.has(status) ? null : xhr.responseText, {
        status,
        statusText: xhr.statusText,
        headers: parseResponseHeaders(xhr.getAllResponseHeaders()),
      });
      parseApiResponse<T>(response).then(resolve, reject);
    };
    xhr.onerror = () => {
      settle();
      reject(networkError());
    };
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => {
      settle();
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbortSignal, { once: true });
    xhr.send(body);
  });
}
