import type { Readable } from 'node:stream';
import yazl from 'yazl';
import type { ObjectStorage } from '../../integrations/storage.ts';

/**
 * The trainer's `input_images`: the photos streamed one after another into a zip
 * (stored, not deflated: JPEGs do not compress), never held in memory whole.
 * A failing source stream fails the zip's output stream, so the upload ends.
 */
export function createTrainingZip(storage: ObjectStorage, photoPaths: string[], signal?: AbortSignal): Readable {
  const zip = new yazl.ZipFile();
  const output = zip.outputStream as Readable;
  const fail = (err: Error) => output.destroy(err);
  zip.on('error', fail);
  photoPaths.forEach((path, i) => {
    zip.addReadStreamLazy(`photo-${String(i + 1).padStart(3, '0')}.jpg`, { compress: false }, (cb) => {
      storage.openRead(path, signal).then(
        (stream) => {
          stream.once('error', fail);
          cb(null, stream);
        },
        (err: Error) => cb(err, null as unknown as Readable),
      );
    });
  });
  zip.end();
  return output;
}
