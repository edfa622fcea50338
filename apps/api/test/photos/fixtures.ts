import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import yazl from 'yazl';

/** Every fixture is generated here at test time: no binary files, no network. */

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Raw RGB pixels that behave like a photo: smooth seeded waves, hard-edged shapes, fine noise. */
export function photoLikePixels(width: number, height: number, seed = 1): Buffer {
  const rand = prng(seed);
  const waves = Array.from({ length: 3 }, () => ({ fx: rand() * 0.02, fy: rand() * 0.02, phase: rand() * 6.3, amp: 40 + rand() * 40 }));
  const shapes = Array.from({ length: 12 }, () => ({
    x: rand() * width, y: rand() * height, r: (0.05 + rand() * 0.15) * Math.min(width, height),
    square: rand() < 0.5, colour: [rand() * 255, rand() * 255, rand() * 255],
  }));
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 128;
      for (const w of waves) v += w.amp * Math.sin(w.fx * x + w.fy * y + w.phase) / 2;
      let rgb = [v, v * 0.9 + 20, v * 0.8 + 30];
      for (const s of shapes) {
        const inside = s.square ? Math.abs(x - s.x) < s.r && Math.abs(y - s.y) < s.r : (x - s.x) ** 2 + (y - s.y) ** 2 < s.r ** 2;
        if (inside) rgb = s.colour;
      }
      const noise = (rand() - 0.5) * 24;
      const i = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) px[i + c] = Math.max(0, Math.min(255, Math.round(rgb[c]! + noise)));
    }
  }
  return px;
}

export function photoLike(opts: { width?: number; height?: number; seed?: number } = {}): Sharp {
  const { width = 1024, height = 768, seed = 1 } = opts;
  return sharp(photoLikePixels(width, height, seed), { raw: { width, height, channels: 3 } });
}

export const photoLikeJpeg = (opts: { width?: number; height?: number; seed?: number } = {}) => photoLike(opts).jpeg({ quality: 92 }).toBuffer();

/** The same photo, out of focus. */
export const blurredJpeg = async () => sharp(await photoLikeJpeg()).blur(8).jpeg({ quality: 92 }).toBuffer();

export const flatJpeg = () => sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 128, g: 128, b: 128 } } }).jpeg().toBuffer();

/** 200×100, red on the left and blue on the right, stored sideways (EXIF orientation 6), with GPS data. */
export function gpsSidewaysJpeg(): Promise<Buffer> {
  const half = (r: number, b: number) => sharp({ create: { width: 100, height: 100, channels: 3, background: { r, g: 0, b } } }).png().toBuffer();
  return Promise.all([half(255, 0), half(0, 255)]).then(([red, blue]) =>
    sharp({ create: { width: 200, height: 100, channels: 3, background: 'black' } })
      .composite([{ input: red!, left: 0, top: 0 }, { input: blue!, left: 100, top: 0 }])
      .withMetadata({ orientation: 6 })
      .withExif({ IFD0: { Make: 'FixtureCam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' } })
      .jpeg()
      .toBuffer(),
  );
}

/** The GPS position in an EXIF block (as sharp's metadata().exif returns it), parsed by hand. */
export function readGps(exif: Buffer | undefined): { latitudeRef: string; latitude: number[] } | undefined {
  if (!exif) return undefined;
  const tiff = exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0;
  const le = exif.toString('latin1', tiff, tiff + 2) === 'II';
  const u16 = (o: number) => (le ? exif.readUInt16LE(tiff + o) : exif.readUInt16BE(tiff + o));
  const u32 = (o: number) => (le ? exif.readUInt32LE(tiff + o) : exif.readUInt32BE(tiff + o));
  const tags = (ifd: number) => Array.from({ length: u16(ifd) }, (_, i) => ifd + 2 + i * 12).map((e) => ({ tag: u16(e), value: e + 8 }));
  const pointer = tags(u32(4)).find((t) => t.tag === 0x8825);
  if (!pointer) return undefined;
  const gps = tags(u32(pointer.value));
  const ref = gps.find((t) => t.tag === 1);
  const lat = gps.find((t) => t.tag === 2);
  if (!ref || !lat) return undefined;
  const at = u32(lat.value);
  return {
    latitudeRef: exif.toString('latin1', tiff + ref.value, tiff + ref.value + 1),
    latitude: [0, 1, 2].map((k) => u32(at + k * 8) / u32(at + k * 8 + 4)),
  };
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A real, valid 1-bit greyscale PNG of side × side zero pixels: a few KB that would decode to hundreds of MB. */
export function pngBomb(side = 14000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter, no interlace
  const rows = Buffer.alloc(side * (1 + Math.ceil(side / 8))); // every row: filter byte 0, then zeros
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(rows, { level: 9 })), pngChunk('IEND', Buffer.alloc(0))]);
}

export const pngThenHtml = () => Buffer.concat([PNG_SIGNATURE, Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>\n'.repeat(8))]);
export const pdf = () => Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
export const svg = () =>
  Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="red"/><script>alert(1)</script></svg>\n');

/** Bytes with a HEIC `ftyp` box and nothing decodable after it. */
export const heicGarbage = () =>
  Buffer.concat([Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(4096, 0x5a)]);

/** A tiny AVIF relabelled as HEIC whose `ispe` box declares 14000×14000 pixels. */
export async function heicDeclaringHuge(): Promise<Buffer> {
  const b = await sharp({ create: { width: 64, height: 48, channels: 3, background: 'red' } }).avif().toBuffer();
  const ispe = b.indexOf('ispe');
  b.writeUInt32BE(14000, ispe + 8);
  b.writeUInt32BE(14000, ispe + 12);
  b.write('heic', 8, 'latin1');
  return b;
}

export interface ZipItem { name: string; data: Buffer; mode?: number; compress?: boolean }

export function zipOf(items: ZipItem[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const item of items) {
    if (item.name.endsWith('/')) zip.addEmptyDirectory(item.name);
    else zip.addBuffer(item.data, item.name, { compress: item.compress ?? true, ...(item.mode !== undefined ? { mode: item.mode } : {}) });
  }
  zip.end();
  return collect(zip.outputStream);
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** yazl refuses unsafe names: build the zip with a same-length placeholder, then patch the name bytes (no CRC covers them). */
export function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  if (Buffer.byteLength(from) !== Buffer.byteLength(to)) throw new Error('renameEntry needs names of the same length');
  return Buffer.from(zip.toString('latin1').replaceAll(from, to), 'latin1');
}

/** Rewrites the uncompressed size every central directory record declares (yauzl trusts the central directory). */
export function lieAboutSizes(zip: Buffer, declared: number): Buffer {
  const out = Buffer.from(zip);
  for (let i = out.indexOf('PK\x01\x02', 0, 'latin1'); i !== -1; i = out.indexOf('PK\x01\x02', i + 4, 'latin1')) {
    out.writeUInt32LE(declared, i + 24);
  }
  return out;
}
