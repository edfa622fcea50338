import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, NETWORK_ERROR_MESSAGE, configureApiClient } from '@/lib/api-client';
import { apiUpload, parseResponseHeaders, type UploadRequest } from '@/lib/api-upload';

/** Stands in for XMLHttpRequest: records what was sent, and answers when the test says so. */
class FakeRequest implements UploadRequest {
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: unknown = null;
  status = 0;
  statusText = '';
  responseText = '';
  responseHeaders = '';
  aborted = false;
  upload: UploadRequest['upload'] = { onprogress: null };
  onload: UploadRequest['onload'] = null;
  onerror: UploadRequest['onerror'] = null;
  onabort: UploadRequest['onabort'] = null;
  ontimeout: UploadRequest['ontimeout'] = null;

  open(method: string, url: string | URL) {
    this.method = method;
    this.url = String(url);
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body?: Document | XMLHttpRequestBodyInit | null) {
    this.body = body;
  }
  abort() {
    this.aborted = true;
    this.onabort?.call(this as unknown as XMLHttpRequest, { type: 'abort' } as ProgressEvent);
  }
  getAllResponseHeaders() {
    return this.responseHeaders;
  }
  progress(loaded: number, total: number) {
    this.upload.onprogress?.call(this as unknown as XMLHttpRequest, { loaded, total, lengthComputable: true } as ProgressEvent);
  }
  answer(status: number, body: unknown, headers = 'content-type: application/json; charset=utf-8\r\nx-request-id: req-h\r\n') {
    this.status = status;
    this.statusText = status === 201 ? 'Created' : 'Error';
    this.responseText = typeof body === 'string' ? body : JSON.stringify(body);
    this.responseHeaders = headers;
    this.onload?.call(this as unknown as XMLHttpRequest, { type: 'load' } as ProgressEvent);
  }
  fail() {
    this.onerror?.call(this as unknown as XMLHttpRequest, { type: 'error' } as ProgressEvent);
  }
}

let restore: (() => void) | undefined;
afterEach(() => restore?.());

function setup(token: string | null = 'tok_1') {
  let unauthorized = 0;
  restore = configureApiClient({ baseUrl: 'https://api.example', getToken: () => token, onUnauthorized: () => unauthorized++ });
  const request = new FakeRequest();
  const tick = () => new Promise((r) => setTimeout(r, 0));
  return { request, createRequest: () => request, tick, unauthorized: () => unauthorized };
}

function form() {
  const body = new FormData();
  body.append('files', new Blob(['abc'], { type: 'image/jpeg' }), 'me.jpg');
  return body;
}

describe('uploads with progress', () => {
  it('posts the form with the bearer token, reports progress and returns the JSON answer', async () => {
    const { request, createRequest, tick } = setup();
    const seen: Array<[number, number]> = [];
    const done = apiUpload<{ items: unknown[] }>('/api/v1/photos', form(), {
      createRequest,
      onProgress: ({ loaded, total }) => seen.push([loaded, total]),
    });
    await tick();
    expect(request.method).toBe('POST');
    expect(request.url).toBe('https://api.example/api/v1/photos');
    expect(request.headers).toEqual({ Accept: 'application/json', Authorization: 'Bearer tok_1' });
    expect(request.body).toBeInstanceOf(FormData);
    request.progress(10, 40);
    request.progress(40, 40);
    request.answer(201, { items: [{ id: 'p1' }] });
    await expect(done).resolves.toEqual({ items: [{ id: 'p1' }] });
    expect(seen).toEqual([
      [10, 40],
      [40, 40],
    ]);
  });

  it("rejects with the API's error, as apiFetch does", async () => {
    const { request, createRequest, tick } = setup();
    const done = apiUpload('/api/v1/photos', form(), { createRequest });
    await tick();
    request.answer(415, { statusCode: 415, error: 'Unsupported Media Type', message: 'This file is not an image.', requestId: 'req-415' });
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ kind: 'http', statusCode: 415, message: 'This file is not an image.', requestId: 'req-415' });
  });

  it('turns a lost connection or a non-API answer into the network message', async () => {
    const first = setup();
    const lost = apiUpload('/api/v1/photos', form(), { createRequest: first.createRequest });
    await first.tick();
    first.request.fail();
    await expect(lost).rejects.toMatchObject({ kind: 'network', statusCode: 0, message: NETWORK_ERROR_MESSAGE });
    restore?.();

    const second = setup();
    const proxy = apiUpload('/api/v1/photos', form(), { createRequest: second.createRequest });
    await second.tick();
    second.request.answer(502, '<html>Bad gateway</html>', 'content-type: text/html\r\n');
    await expect(proxy).rejects.toMatchObject({ kind: 'invalid-response', statusCode: 502 });
  });

  it('ends the session on a 401', async () => {
    const { request, createRequest, tick, unauthorized } = setup();
    const done = apiUpload('/api/v1/photos', form(), { createRequest });
    await tick();
    request.answer(401, { statusCode: 401, error: 'Unauthorized', message: 'Sign in again.', requestId: 'r' });
    await expect(done).rejects.toMatchObject({ statusCode: 401 });
    expect(unauthorized()).toBe(1);
  });

  it('stops when its signal aborts', async () => {
    const { request, createRequest, tick } = setup();
    const controller = new AbortController();
    const done = apiUpload('/api/v1/photos', form(), { createRequest, signal: controller.signal });
    await tick();
    controller.abort();
    await expect(done).rejects.toMatchObject({ name: 'AbortError' });
    expect(request.aborted).toBe(true);
  });

  it('reads response headers', () => {
    const headers = parseResponseHeaders('Content-Type: application/json\r\nRetry-After: 3\r\nbroken line\r\n');
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('retry-after')).toBe('3');
  });
});
