import { createHash } from 'node:crypto';
import sharp from 'sharp';

/**
 * Downloads one prediction output, safely: only from an allowed host over http(s),
 * no redirects, a deadline, a byte cap, and bytes that really are a PNG, JPEG or
 * WebP image. The API never fetches a URL a user gave; these come from Replicate.
 */
export class OutputRefused extends Error {}

export interface DownloadedOutput {
  bytes: Buffer;
  contentType: 'image/png' | 'image/jpeg' | 'image/webp';
  extension: 'png' | 'jpg' | 'webp';
  width: number;
  height: number;
  thumbnail: Buffer;
  sha256: string;
}

export function hostAllowed(rawUrl: string, allowed: string[]): boolean {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.username || url.password) return false;
  const host = url.hostname.toLowerCase();
  return allowed.some((a) => (a.startsWith('*.') ? host.endsWith(a.slice(1)) && host.length > a.length - 1 : host === a));
}

function imageType(head: Buffer): DownloadedOutput['contentType'] | null {
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

const EXTENSIONS = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' } as const;

export async function downloadOutput(rawUrl: string, opts: { allowedHosts: string[]; maxBytes: number; timeoutMs: number; signal?: AbortSignal }): Promise<DownloadedOutput> {
  if (!hostAllowed(rawUrl, opts.allowedHosts)) throw new OutputRefused(`output URL host is not on the allow-list: ${new URL(rawUrl).hostname}`);
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  const res = await fetch(rawUrl, { redirect: 'error', signal: opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline });
  if (!res.ok || !res.body) throw new Error(`output download failed: HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > opts.maxBytes) throw new OutputRefused(`output is larger than ${opts.maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += chunk.byteLength;
    if (total > opts.maxBytes) throw new OutputRefused(`output is larger than ${opts.maxBytes} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  const bytes = Buffer.concat(chunks);
  const contentType = imageType(bytes.subarray(0, 16));
  if (!contentType) throw new OutputRefused('output is not a PNG, JPEG or WebP image');
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes, { limitInputPixels: 50_000_000 }).metadata();
  } catch {
    throw new OutputRefused('output image could not be read');
  }
  const thumbnail = await sharp(bytes, { limitInputPixels: 50_000_000 }).resize({ width: 512, height: 512, fit: 'inside', withoutEnlargement: true }).webp({ quality: 75 }).toBuffer();
  return {
    bytes,
    contentType,
    extension: EXTENSIONS[contentType],
    width: meta.width ?? 0,
    height: meta.height ?? 0,
    thumbnail,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}
