/**
 * Errors rendered exactly like Supabase Storage's `StorageBackendError`:
 * body `{ statusCode: "<semantic status>", error, message, code }` and an HTTP status
 * of 400 for every non-500 error (the real server's `userStatusCode` rule).
 */
export class StorageHttpError extends Error {
  readonly httpStatusCode: number;
  readonly code: string;
  readonly error: string;

  constructor(opts: { code: string; httpStatusCode: number; message: string; error?: string }) {
    super(opts.message);
    this.code = opts.code;
    this.httpStatusCode = opts.httpStatusCode;
    this.error = opts.error ?? opts.code;
  }

  get userStatusCode(): number {
    return this.httpStatusCode >= 500 ? this.httpStatusCode : 400;
  }

  render(): { statusCode: string; error: string; message: string; code: string } {
    return { statusCode: String(this.httpStatusCode), error: this.error, message: this.message, code: this.code };
  }
}

export const ERRORS = {
  noSuchBucket: () =>
    new StorageHttpError({ code: 'NoSuchBucket', httpStatusCode: 404, error: 'Bucket not found', message: 'Bucket not found' }),
  noSuchKey: () =>
    new StorageHttpError({ code: 'NoSuchKey', httpStatusCode: 404, error: 'not_found', message: 'Object not found' }),
  bucketAlreadyExists: () =>
    new StorageHttpError({ code: 'BucketAlreadyExists', httpStatusCode: 409, error: 'Duplicate', message: 'The resource already exists' }),
  keyAlreadyExists: () =>
    new StorageHttpError({ code: 'KeyAlreadyExists', httpStatusCode: 409, error: 'Duplicate', message: 'The resource already exists' }),
  bucketNotEmpty: () =>
    new StorageHttpError({ code: 'ResourceNotEmpty', httpStatusCode: 409, message: 'The bucket you tried to delete is not empty' }),
  invalidBucketName: () =>
    new StorageHttpError({ code: 'InvalidBucketName', httpStatusCode: 400, error: 'Invalid Input', message: 'Bucket name invalid' }),
  invalidKey: (key: string) =>
    new StorageHttpError({ code: 'InvalidKey', httpStatusCode: 400, message: `Invalid key: ${key}` }),
  invalidRequest: (message: string) =>
    new StorageHttpError({ code: 'InvalidRequest', httpStatusCode: 400, message }),
  invalidFileSizeLimit: () =>
    new StorageHttpError({
      code: 'InvalidRequest',
      httpStatusCode: 400,
      message: 'Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B',
    }),
  entityTooLarge: () =>
    new StorageHttpError({
      code: 'EntityTooLarge',
      httpStatusCode: 413,
      error: 'Payload too large',
      message: 'The object exceeded the maximum allowed size',
    }),
  invalidMimeType: (mime: string) =>
    new StorageHttpError({
      code: 'InvalidMimeType',
      httpStatusCode: 415,
      error: 'invalid_mime_type',
      message: `mime type ${mime} is not supported`,
    }),
  accessDenied: (message: string) =>
    new StorageHttpError({ code: 'AccessDenied', httpStatusCode: 403, error: 'Unauthorized', message }),
  invalidJwt: (message: string) => new StorageHttpError({ code: 'InvalidJWT', httpStatusCode: 400, message }),
  invalidSignature: (message: string) =>
    new StorageHttpError({ code: 'InvalidSignature', httpStatusCode: 400, message }),
  notFound: (message: string) =>
    new StorageHttpError({ code: 'NotFound', httpStatusCode: 404, error: 'Not Found', message }),
  internal: () => new StorageHttpError({ code: 'InternalError', httpStatusCode: 500, message: 'Internal server error' }),
};
