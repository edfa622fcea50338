/**
 * The few lines of tar (POSIX ustar) the embedded backup needs: one archive holding
 * PGlite's own dump, the data folder's keys and a manifest, readable with any `tar`.
 * Only regular files with short relative names; everything in memory, as PGlite's
 * dump already is.
 */
const BLOCK = 512;

export interface TarEntry {
  name: string;
  data: Uint8Array;
  /** Permission bits, e.g. 0o600. */
  mode?: number;
}

function checkName(name: string): void {
  if (!name || name.length > 100 || name.startsWith('/') || name.split('/').some((part) => part === '..' || part === '')) {
    throw new Error(`tar: unsupported entry name "${name}"`);
  }
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(entry: TarEntry, mtime: Date): Buffer {
  checkName(entry.name);
  const h = Buffer.alloc(BLOCK);
  h.write(entry.name, 0, 100, 'utf8');
  h.write(octal(entry.mode ?? 0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(entry.data.byteLength, 12), 124, 'ascii');
  h.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** The archive's bytes, in pieces (headers, data, padding), ready to be written in order. */
export function tarParts(entries: TarEntry[], mtime: Date): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    parts.push(header(entry, mtime), entry.data);
    const pad = (BLOCK - (entry.data.byteLength % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return parts;
}

/** The regular files of a tar archive, by name. Throws on anything that is not a well-formed archive. */
export function readTar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const h = archive.subarray(offset, offset + BLOCK);
    if (h.every((b) => b === 0)) return files;
    const field = (start: number, length: number) => h.toString('utf8', start, start + length).replace(/\0.*$/s, '');
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (Number.parseInt(field(148, 8).trim(), 8) !== sum) throw new Error('tar: bad header checksum (not a tar archive, or a damaged one)');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const start = offset + BLOCK;
    if (start + size > archive.length) throw new Error('tar: archive is truncated');
    if (type === '0' || type === '') {
      checkName(name);
      files.set(name, archive.subarray(start, start + size));
    }
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new Error('tar: archive is truncated (no end marker)');
}
