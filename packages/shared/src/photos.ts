import { Type, type Static } from 'typebox';

/** Image types accepted for training photos (the type is read from the bytes, never the name). */
export const PHOTO_SOURCE_FORMATS = ['jpeg', 'png', 'webp', 'heic', 'avif', 'tiff'] as const;
export type PhotoSourceFormat = (typeof PHOTO_SOURCE_FORMATS)[number];

export const PHOTO_WARNING_CODES = ['too_small', 'blurry', 'near_duplicate', 'too_dark', 'too_bright'] as const;
export type PhotoWarningCode = (typeof PHOTO_WARNING_CODES)[number];

export const PhotoWarning = Type.Object(
  {
    code: Type.Enum([...PHOTO_WARNING_CODES], {
      description: 'A quality problem a person can fix before training. Warnings never block an upload.',
    }),
    message: Type.String({ description: 'What is wrong and what to do about it, for a person.' }),
    duplicateOf: Type.Optional(Type.String({ format: 'uuid', description: 'For `near_duplicate`: the photo it resembles.' })),
  },
  { additionalProperties: false },
);
export type PhotoWarning = Static<typeof PhotoWarning>;

export const Photo = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    originalName: Type.String({ description: 'The uploaded file name (or zip entry name), for display only.' }),
    sourceFormat: Type.Enum([...PHOTO_SOURCE_FORMATS], { description: 'The format it was uploaded in. Stored photos are always re-encoded JPEG.' }),
    width: Type.Integer({ minimum: 1 }),
    height: Type.Integer({ minimum: 1 }),
    byteSize: Type.Integer({ minimum: 0, description: 'Bytes of the stored, re-encoded JPEG.' }),
    warnings: Type.Array(PhotoWarning),
    thumbnailUrl: Type.String({ description: 'Short-lived signed URL of a small WebP preview.' }),
    url: Type.String({ description: 'Short-lived signed URL of the stored photo.' }),
    urlExpiresAt: Type.String({ format: 'date-time' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type Photo = Static<typeof Photo>;

export const PhotoList = Type.Object(
  {
    items: Type.Array(Photo, { description: 'Photos waiting to be trained on, newest first.' }),
    count: Type.Integer({ minimum: 0 }),
    totalBytes: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type PhotoList = Static<typeof PhotoList>;

export const UploadPhotosResponse = Type.Object(
  { items: Type.Array(Photo, { description: 'The photos stored by this upload, in upload order.' }) },
  { additionalProperties: false },
);
export type UploadPhotosResponse = Static<typeof UploadPhotosResponse>;

/** Upload limits, set by the server's configuration. */
export const UploadLimits = Type.Object(
  {
    maxPhotos: Type.Integer({ description: 'Photos a person can have waiting for training at once.' }),
    maxFileBytes: Type.Integer({ description: 'Largest single image file.' }),
    maxRequestBytes: Type.Integer({ description: 'Largest upload request (all files, or the zip).' }),
    maxTotalBytes: Type.Integer({ description: 'Bytes of stored photos a person can have at once.' }),
    maxZipEntries: Type.Integer(),
    maxPixels: Type.Integer({ description: 'Largest width × height of an image.' }),
    minRecommendedSide: Type.Integer({ description: 'Photos whose shorter side is below this get a `too_small` warning.' }),
    acceptedFormats: Type.Array(Type.Enum([...PHOTO_SOURCE_FORMATS])),
  },
  { additionalProperties: false },
);
export type UploadLimits = Static<typeof UploadLimits>;
