/**
 * Minimal streaming multipart/form-data parser (RFC 7578). Yields events as bytes
 * arrive, so file parts are never buffered whole; only a small tail is held back to
 * detect a delimiter split across chunks.
 */
export type MultipartEvent =
  | { type: 'part'; name: string; filename: string | null; contentType: string | null }
  | { type: 'data'; chunk: Buffer }
  | { type: 'end-part' };

export function boundaryOf(contentType: string): string | null {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? '').trim() || null : null;
}

function parseHeaders(block: string): { name: string; filename: string | null; contentType: string | null } {
  let name = '';
  let filename: string | null = null;
  let contentType: string | null = null;
  for (const line of block.split('\r\n')) {
    const idx = line.indexOf(':');
    if (idx < 0) continue;
    const key = line.slice(0, idx).trim().toLowerCase();
    const value = line.slice(idx + 1).trim();
    if (key === 'content-disposition') {
      const n = /\bname="([^"]*)"/i.exec(value);
      const f = /\bfilename="([^"]*)"/i.exec(value);
      name = n?.[1] ?? '';
      filename = f ? (f[1] ?? '') : null;
    } else if (key === 'content-type') {
      contentType = value;
    }
  }
  return { name, filename, contentType };
}

const MAX_HEADER_BYTES = 16 * 1024;

export async function* parseMultipart(source: AsyncIterable<Buffer | string>, boundary: string): AsyncGenerator<MultipartEvent> {
  const delim = Buffer.from(`\r\n--${boundary}`);
  // Prepend CRLF so the first delimiter looks like every other one.
  let buf: Buffer = Buffer.from('\r\n');
  let state: 'preamble' | 'after-delim' | 'headers' | 'body' | 'done' = 'preamble';

  const step = function* (final: boolean): Generator<MultipartEvent, boolean> {
    for (;;) {
      if (state === 'preamble') {
        const i = buf.indexOf(delim);
        if (i < 0) {
          if (buf.length > delim.length) buf = buf.subarray(buf.length - delim.length);
          return false;
        }
        buf = buf.subarray(i + delim.length);
        state = 'after-delim';
      } else if (state === 'after-delim') {
        if (buf.length < 2) return false;
        const two = buf.subarray(0, 2).toString('latin1');
        if (two === '--') {
          state = 'done';
          return true;
        }
        if (two !== '\r\n') throw new Error('malformed multipart body');
        buf = buf.subarray(2);
        state = 'headers';
      } else if (state === 'headers') {
        const i = buf.indexOf('\r\n\r\n');
        if (i < 0) {
          if (buf.length > MAX_HEADER_BYTES) throw new Error('multipart headers too large');
          return false;
        }
        const h = parseHeaders(buf.subarray(0, i).toString('utf8'));
        buf = buf.subarray(i + 4);
        state = 'body';
        yield { type: 'part', ...h };
      } else if (state === 'body') {
        const i = buf.indexOf(delim);
        if (i < 0) {
          const keep = delim.length - 1;
          if (buf.length > keep) {
            yield { type: 'data', chunk: Buffer.from(buf.subarray(0, buf.length - keep)) };
            buf = buf.subarray(buf.length - keep);
          }
          if (final) throw new Error('unexpected end of multipart body');
          return false;
        }
        if (i > 0) yield { type: 'data', chunk: Buffer.from(buf.subarray(0, i)) };
        yield { type: 'end-part' };
        buf = buf.subarray(i + delim.length);
        state = 'after-delim';
      } else {
        return true;
      }
    }
  };

  for await (const chunk of source) {
    buf = buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([buf, Buffer.from(chunk)]);
    const done = yield* step(false);
    if (done) return;
  }
  const done = yield* step(true);
  if (!done) throw new Error('unexpected end of multipart body');
}
