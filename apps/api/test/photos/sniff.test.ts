import { describe, expect, it } from 'vitest';
import { sniffType } from '../../src/modules/photos/pipeline/sniff.ts';

describe('sniffing reads the bytes, never the name', () => {
  it.each([
    ['jpeg', [0xff, 0xd8, 0xff, 0xdb]],
    ['png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
    ['webp', [...Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1')]],
    ['tiff', [0x49, 0x49, 0x2a, 0x00]],
    ['tiff', [0x4d, 0x4d, 0x00, 0x2a]],
    ['zip', [0x50, 0x4b, 0x03, 0x04]],
    ['zip', [0x50, 0x4b, 0x05, 0x06]],
    ['heic', [...Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1')]],
    ['heic', [...Buffer.from('\0\0\0\x18ftypmif1\0\0\0\0mif1heic', 'latin1')]],
    ['avif', [...Buffer.from('\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf', 'latin1')]],
    ['avif', [...Buffer.from('\0\0\0\x1cftypmif1\0\0\0\0mif1avifmiaf', 'latin1')]],
    [undefined, [...Buffer.from('GIF89a', 'latin1')]],
    [undefined, [...Buffer.from('BM\0\0', 'latin1')]],
    [undefined, [...Buffer.from('%PDF-1.7', 'latin1')]],
    [undefined, [...Buffer.from('<svg xmlns="http://www.w3.org/2000/svg">', 'latin1')]],
    [undefined, [...Buffer.from('\0\0\0\x18ftypqt  \0\0\0\0qt  ', 'latin1')]],
    [undefined, [0xff, 0xd8]],
  ])('%s ← %j', (type, bytes) => {
    expect(sniffType(Uint8Array.from(bytes))).toBe(type);
  });
});
