declare module 'yazl' {
  import type { Readable } from 'node:stream';
  export class ZipFile {
    outputStream: Readable;
    addBuffer(buffer: Buffer, metadataPath: string, options?: { mtime?: Date; mode?: number; compress?: boolean }): void;
    end(options?: object, callback?: () => void): void;
  }
}
