import { createHash } from 'node:crypto';
import sharp from 'sharp';
import yauzl from 'yauzl';

export type OutputFormat = 'webp' | 'jpg' | 'png';

/** FLUX.1 sizes per aspect ratio, as the Replicate FLUX LoRA models produce them. */
export const ASPECT_RATIOS: Record<string, [number, number]> = {
  '1:1': [1024, 1024],
  '16:9': [1344, 768],
  '21:9': [1536, 640],
  '3:2': [1216, 832],
  '2:3': [832, 1216],
  '4:5': [896, 1088],
  '5:4': [1088, 896],
  '3:4': [896, 1152],
  '4:3': [1152, 896],
  '9:16': [768, 1344],
  '9:21': [640, 1536],
};

export const CONTENT_TYPES: Record<OutputFormat, string> = { webp: 'image/webp', jpg: 'image/jpeg', png: 'image/png' };

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A deterministic picture for (prompt, seed, index, size): a two-colour gradient with
 * rings whose colours and centre come from a SHA-256 of the inputs, and a "SIMULATED"
 * band rendered through an SVG overlay.
 */
export async function renderImage(p: { prompt: string; seed: number; index: number; width: number; height: number; format: OutputFormat; quality: number }): Promise<Buffer> {
  const h = createHash('sha256').update(`${p.prompt}\u0000${p.seed}\u0000${p.index}`).digest();
  const { width: w, height: hgt } = p;
  const c1 = [h[0] ?? 0, h[1] ?? 0, h[2] ?? 0];
  const c2 = [h[3] ?? 0, h[4] ?? 0, h[5] ?? 0];
  const cx = ((h[6] ?? 0) / 255) * w;
  const cy = ((h[7] ?? 0) / 255) * hgt;
  const freq = 0.01 + ((h[8] ?? 0) / 255) * 0.04;
  const raw = Buffer.alloc(w * hgt * 3);
  for (let y = 0; y < hgt; y++) {
    for (let x = 0; x < w; x++) {
      const t = (x / w + y / hgt) / 2;
      const ring = 0.5 + 0.5 * Math.sin(Math.hypot(x - cx, y - cy) * freq);
      const o = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) {
        const base = (c1[c] ?? 0) * (1 - t) + (c2[c] ?? 0) * t;
        raw[o + c] = Math.round(base * (0.7 + 0.3 * ring));
      }
    }
  }
  const band = Math.round(hgt * 0.12);
  const fontSize = Math.round(Math.min(band * 0.6, w / 8));
  const caption = escapeXml(p.prompt.length > 60 ? `${p.prompt.slice(0, 57)}...` : p.prompt);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${hgt}">
<rect x="0" y="${(hgt - band) / 2}" width="${w}" height="${band}" fill="#000" fill-opacity="0.6"/>
<text x="50%" y="${hgt / 2 + fontSize / 3}" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-weight="bold" font-size="${fontSize}" fill="#fff">SIMULATED</text>
<text x="50%" y="${hgt - Math.round(fontSize / 2)}" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-size="${Math.round(fontSize / 3)}" fill="#fff">${caption} · seed ${p.seed}</text>
</svg>`;
  const img = sharp(raw, { raw: { width: w, height: hgt, channels: 3 } }).composite([{ input: Buffer.from(svg), top: 0, left: 0 }]);
  if (p.format === 'png') return img.png({ compressionLevel: 6 }).toBuffer();
  if (p.format === 'jpg') return img.jpeg({ quality: p.quality }).toBuffer();
  return img.webp({ quality: p.quality }).toBuffer();
}

export function imageKind(head: Buffer): 'png' | 'jpeg' | 'webp' | 'gif' | null {
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (head.length >= 6 && (head.toString('latin1', 0, 6) === 'GIF87a' || head.toString('latin1', 0, 6) === 'GIF89a')) return 'gif';
  return null;
}

export interface ZipSummary {
  entries: number;
  images: { name: string; kind: string; bytes: number }[];
  captions: number;
}

/** Opens a zip held in memory and sniffs each file's magic bytes. Throws on a non-zip. */
export function inspectZip(buf: Buffer): Promise<ZipSummary> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('not a zip'));
      const summary: ZipSummary = { entries: 0, images: [], captions: 0 };
      zip.on('error', reject);
      zip.on('end', () => resolve(summary));
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        if (name.endsWith('/') || name.startsWith('__MACOSX/') || name.split('/').pop()?.startsWith('.')) return zip.readEntry();
        summary.entries += 1;
        if (name.toLowerCase().endsWith('.txt')) summary.captions += 1;
        zip.openReadStream(entry, (e2, stream) => {
          if (e2 || !stream) return reject(e2 ?? new Error('cannot read entry'));
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (c: Buffer) => {
            if (size < 16) chunks.push(c);
            size += c.length;
          });
          stream.on('error', reject);
          stream.on('end', () => {
            const kind = imageKind(Buffer.concat(chunks));
            if (kind) summary.images.push({ name, kind, bytes: size });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

function tarHeader(name: string, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write(`${Math.floor(mtime / 1000).toString(8).padStart(11, '0')}\0`, 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write('0', 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

/** A tiny but real `trained_model.tar` holding a valid (zero-filled) safetensors LoRA and its config. */
export function weightsTar(p: { rank: number; steps: number; trigger: string; mtime: number }): Buffer {
  const rank = Math.max(1, Math.min(128, p.rank));
  const tensorBytes = rank * 16 * 2; // bf16 [rank,16]
  const header = JSON.stringify({
    __metadata__: { format: 'pt', simulated: 'true', trigger_word: p.trigger, steps: String(p.steps) },
    'transformer.single_transformer_blocks.0.attn.to_q.lora_A.weight': { dtype: 'BF16', shape: [rank, 16], data_offsets: [0, tensorBytes] },
  });
  const headerBuf = Buffer.from(header.padEnd(Math.ceil(header.length / 8) * 8, ' '));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBuf.length));
  const safetensors = Buffer.concat([len, headerBuf, Buffer.alloc(tensorBytes)]);
  const config = Buffer.from(JSON.stringify({ simulated: true, lora_rank: rank, steps: p.steps, trigger_word: p.trigger }, null, 2));
  const parts: Buffer[] = [];
  for (const [name, data] of [['output/flux_train_replicate/lora.safetensors', safetensors], ['output/flux_train_replicate/config.json', config]] as const) {
    parts.push(tarHeader(name, data.length, p.mtime), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
