import multipart from '@fastify/multipart';
import { Type } from 'typebox';
import { PhotoList, UploadPhotosResponse } from '@visiona/shared';
import type { Config } from '../../config.ts';
import { AppError } from '../../lib/errors.ts';
import type { App } from '../../lib/http.ts';
import { IdParams, withErrors } from '../../lib/http.ts';
import { requireScope } from '../../plugins/auth.ts';
import type { IncomingPart } from './pipeline/ingest.ts';
import type { PhotoService } from './service.ts';


/** Documents the multipart body; the route reads the stream itself, so it is not validated by schema. */
export const PHOTO_UPLOAD_BODY = {
  type: 'object',
  required: ['files'],
  properties: {
    files: {
      type: 'array',
      items: { type: 'string', format: 'binary' },
      description: 'One or more images (JPEG, PNG, WebP, HEIC, AVIF, TIFF), or one .zip of images. The type is read from the bytes.',
    },
  },
} as const;

export default async function photoRoutes(app: App, opts: { photos: PhotoService; config: Config }) {
  const { uploads } = opts.config;
  // Explicit limits. A part may be a zip, so busboy cuts files at the request limit; the pipeline
  // enforces the per-image limit (and every other one) as the bytes arrive, with a 413.
  await app.register(multipart, {
    limits: { fileSize: uploads.maxRequestBytes, files: uploads.maxPhotos + 1, fields: 10, fieldSize: 1024, parts: uploads.maxPhotos + 11, headerPairs: 100 },
  });

  app.post(
    '/api/v1/photos',
    {
      bodyLimit: uploads.maxRequestBytes,
      config: { multipartBody: PHOTO_UPLOAD_BODY },
      schema: {
        tags: ['photos'],
        operationId: 'uploadPhotos',
        summary: 'Upload training photos: images, or a zip of images (multipart/form-data, field `files`).',
        description:
          'Each image is checked (type from its bytes, size, pixel count), re-encoded as JPEG without EXIF or GPS data, and stored privately. ' +
          'All or nothing: if one file is refused, nothing is stored. Quality warnings (too small, blurry, near-duplicate, too dark or bright) come back with each photo. ' +
          'Limits are in `GET /api/v1/config` under `uploads`. Errors: 413 too large or too many, 415 not an image, 422 unreadable image, pixel bomb or unsafe zip.',
        consumes: ['multipart/form-data'],
        headers: Type.Object({
          'idempotency-key': Type.Optional(
            Type.String({ description: 'Send the same key when you retry: the photos are stored once and the same ones come back.' }),
          ),
        }),
        security: requireScope('photos'),
        response: withErrors({ 201: UploadPhotosResponse }),
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) {
        throw new AppError(415, 'unsupported_media_type', 'Send the photos as multipart/form-data, with the files in the `files` field.');
      }
      const abort = new AbortController();
      request.raw.once('close', () => {
        if (!request.raw.complete) abort.abort();
      });
      const key = request.headers['idempotency-key'];
      const { photos, replayed } = await opts.photos.upload(request.user!, request.parts() as AsyncIterable<IncomingPart>, {
        signal: abort.signal,
        idempotencyKey: typeof key === 'string' ? key : null,
      });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send({ items: photos });
    },
  );

  app.get(
    '/api/v1/photos',
    {
      schema: {
        tags: ['photos'],
        operationId: 'listPhotos',
        summary: 'Your photos waiting to be trained on, with short-lived signed URLs.',
        security: requireScope('read'),
        response: withErrors({ 200: PhotoList }),
      },
    },
    async (request) => opts.photos.list(request.user!),
  );

  app.delete(
    '/api/v1/photos/:id',
    {
      schema: {
        tags: ['photos'],
        operationId: 'deletePhoto',
        summary: 'Delete a photo: its row and its bytes.',
        security: requireScope('photos'),
        params: IdParams,
        response: withErrors({ 204: Type.Null({ description: 'Deleted.' }) }),
      },
    },
    async (request, reply) => {
      await opts.photos.remove(request.user!, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
