import { isErrorResponse, type FieldError } from '@visiona/shared';
import { clearSession, getToken } from './session';

/** Shown whenever the API cannot be reached or answers with something that is not the API. */
export const NETWORK_ERROR_MESSAGE = "Can't reach the Visiona API. Check your connection and try again.";

/**
 * - `http`: the API answered with an ErrorResponse (or at least JSON) and a non-2xx status.
 * - `network`: the request never got an answer (offline, DNS, connection refused, CORS).
 * - `invalid-response`: something answered, but not with the API's JSON (a proxy error page, HTML).
 */
export type ApiErrorKind = 'http' | 'network' | 'invalid-response';

export interface ApiErrorInit {
  kind: ApiErrorKind;
  statusCode: number;
  error: string;
  message: string;
  requestId?: string | null;
  code?: string | null;
  details?: FieldError[];
  retryAfterSeconds?: number | null;
  cause?: unknown;
}

/** Every failure of `apiFetch`, with the fields of the API's ErrorResponse. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly kind: ApiErrorKind;
  /** HTTP status; 0 when no answer arrived. */
  readonly statusCode: number;
  /** HTTP reason phrase, e.g. `Unauthorized`. */
  readonly error: string;
  /** Quote this when reporting a problem. Null when the API was not reached. */
  readonly requestId: string | null;
  readonly code: string | null;
  readonly details: FieldError[];
  /** From the Retry-After header of a 429 or 503, in seconds. */
  readonly retryAfterSeconds: number | null;

  constructor(init: ApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.statusCode = init.statusCode;
    this.error = init.error;
    this.requestId = init.requestId ?? null;
    this.code = init.code ?? null;
    this.details = init.details ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
  }

  /** True when asking again later may help (no answer, a 5xx, or rate limiting). */
  get isTransient(): boolean {
    return this.kind !== 'http' || this.statusCode >= 500 || this.statusCode === 429;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRequestOptions {
  method?: HttpMethod;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  /** Send the session's bearer token (default true). A 401 then ends the session. */
  auth?: boolean;
  /** Whether a 401 to an authenticated call ends the session (default true). */
  endSessionOn401?: boolean;
  /** Extra request headers, e.g. `Idempotency-Key`. */
  headers?: Record<string, string>;
}

export interface ApiClientConfig {
  /** Prefix for every path; '' means the page's own origin. */
  baseUrl: string;
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  /** The bearer token to send; may be asynchronous (Clerk refreshes its short-lived tokens). */
  getToken: () => string | null | Promise<string | null>;
  /** Called when an authenticated request is answered with 401. */
  onUnauthorized: () => void;
}

const defaultConfig: ApiClientConfig = {
  baseUrl: (import.meta.env.VITE_API_URL ?? '').replace(/\/+$/, ''),
  fetch: (input, init) => globalThis.fetch(input, init),
  getToken,
  // The route guard sees the session go and sends the person to /sign-in, keeping where they were.
  onUnauthorized: () => clearSession('expired'),
};

let config: ApiClientConfig = { ...defaultConfig };

/** Override parts of the client's configuration (tests, embedding). Returns a function that undoes it. */
export function configureApiClient(overrides: Partial<ApiClientConfig>): () => void {
  const previous = config;
  config = { ...config, ...overrides };
  return () => {
    config = previous;
  };
}

/** The client's current configuration, for transports other than fetch (uploads with progress). */
export function apiClientConfig(): Readonly<ApiClientConfig> {
  return config;
}

/** The configured base URL of the API ('' means the page's own origin). */
export function apiBaseUrl(): string {
  return config.baseUrl;
}

export function apiUrl(path: string): string {
  return `${config.baseUrl}${path.startsWith('/') ? path : `/${path}`}`;
}

/**
 * Calls the Visiona API and returns its parsed JSON answer.
 * Throws an ApiError for every failure; an aborted request rethrows the AbortError.
 */
export async function apiFetch<T>(path: string, options: ApiRequestOptions = {}): Promise<T> {
  const { method = 'GET', body, signal, auth = true, endSessionOn401 = true } = options;
  const token = auth ? await resolveToken() : null;
  const headers: Record<string, string> = { ...options.headers, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;

  let response: Response;
  try {
    response = await config.fetch(apiUrl(path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: 'omit',
    });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new ApiError({ kind: 'network', statusCode: 0, error: 'Network Error', message: NETWORK_ERROR_MESSAGE, cause });
  }

  if (response.status === 401 && token && endSessionOn401) config.onUnauthorized();
  return parseApiResponse<T>(response);
}

/** The bearer token to send, as an ApiError when the external sign-in service cannot give one. */
export async function resolveToken(): Promise<string | null> {
  try {
    return await config.getToken();
  } catch (cause) {
    // Only the external sign-in service can fail here (it could not refresh its token).
    throw new ApiError({
      kind: 'network',
      statusCode: 0,
      error: 'Sign-in Error',
      message: 'Your sign-in could not be confirmed. Check your connection and try again.',
      cause,
    });
  }
}

/** Turns a fetch Response into the value or the ApiError it stands for. */
export async function parseApiResponse<T>(response: Response): Promise<T> {
  const headerRequestId = response.headers.get('x-request-id');
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));

  let text: string;
  try {
    text = await response.text();
  } catch (cause) {
    throw new ApiError({ kind: 'network', statusCode: 0, error: 'Network Error', message: NETWORK_ERROR_MESSAGE, cause });
  }

  if (response.ok && text.trim() === '') return undefined as T;

  let data: unknown;
  let isJson = false;
  if (text.trim() !== '' && looksLikeJson(response)) {
    try {
      data = JSON.parse(text);
      isJson = true;
    } catch {
      isJson = false;
    }
  }

  if (!isJson) {
    // A proxy's error page, the SPA's own index.html, or a truncated body: not the API talking.
    throw new ApiError({
      kind: 'invalid-response',
      statusCode: response.status,
      error: response.statusText || 'Invalid Response',
      message: NETWORK_ERROR_MESSAGE,
      requestId: headerRequestId,
      retryAfterSeconds,
    });
  }

  if (response.ok) return data as T;

  if (isErrorResponse(data)) {
    throw new ApiError({
      kind: 'http',
      statusCode: response.status,
      error: data.error,
      message: data.message,
      requestId: data.requestId || headerRequestId,
      code: data.code ?? null,
      details: Array.isArray(data.details) ? data.details : [],
      retryAfterSeconds,
    });
  }

  throw new ApiError({
    kind: 'http',
    statusCode: response.status,
    error: response.statusText || 'Error',
    message: `The Visiona API answered with an unexpected error (HTTP ${response.status}). Try again in a moment.`,
    requestId: headerRequestId,
    retryAfterSeconds,
  });
}

function looksLikeJson(response: Response): boolean {
  const type = response.headers.get('content-type');
  // No content type at all: still try to parse. A declared non-JSON type (text/html) is not the API.
  return type === null || /[/+]json\b/i.test(type);
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}
