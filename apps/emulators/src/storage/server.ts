import Fastify from 'fastify';
import type { FastifyError, FastifyInstance } from 'fastify';
import { checkServiceAuth } from './auth.ts';
import { StorageHttpError } from './errors.ts';
import { bucketRoutes } from './routes-bucket.ts';
import { objectJsonRoutes, objectUploadRoutes } from './routes-object.ts';
import type { ObjectRouteDeps } from './routes-object.ts';
import { deriveJwtSecret } from './signing.ts';
import { DiskStore } from './store.ts';

export type StorageEmulatorOptions = {
  dataDir: string;
  serviceKey: string;
  /** HS256 secret for signed URLs; default derived from serviceKey. */
  jwtSecret?: string;
  logger?: boolean | object;
  clock?: { now(): Date };
  /** Global per-object size cap in bytes (the server's FILE_SIZE_LIMIT). Default 50 MiB. */
  maxFileSize?: number;
};

export const STORAGE_PREFIX = '/storage/v1';

export async function createStorageEmulator(opts: StorageEmulatorOptions): Promise<FastifyInstance> {
  if (!opts.serviceKey) throw new Error('serviceKey is required');
  const clock = opts.clock ?? { now: () => new Date() };
  const now = (): Date => clock.now();
  const jwtSecret = opts.jwtSecret ?? deriveJwtSecret(opts.serviceKey);
  const store = new DiskStore(opts.dataDir, now);
  await store.init();

  const app = Fastify({
    logger: opts.logger ?? false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
    bodyLimit: 1024 * 1024,
    // an emulator must shut down promptly even with open keep-alive / streaming clients
    forceCloseConnections: true,
    exposeHeadRoutes: false,
  });

  app.setErrorHandler((error: FastifyError | StorageHttpError, request, reply) => {
    if (error instanceof StorageHttpError) {
      if (error.httpStatusCode >= 500) request.log.error({ err: error }, 'storage error');
      return reply.status(error.userStatusCode).send(error.render());
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'unhandled error');
    return reply.status(status).send({
      statusCode: String(status),
      error: status >= 500 ? 'Internal' : error.name || 'Error',
      message: status >= 500 ? 'Internal Server Error' : error.message,
      code: status >= 500 ? 'InternalError' : 'InvalidRequest',
    });
  });

  app.setNotFoundHandler((request, reply) => {
    return reply.status(404).send({
      statusCode: '404',
      error: 'Not Found',
      message: `Route ${request.method}:${request.url} not found`,
      code: 'NotFound',
    });
  });

  const deps: ObjectRouteDeps = { store, jwtSecret, now, maxFileSize: opts.maxFileSize ?? 50 * 1024 * 1024 };

  await app.register(
    async (api) => {
      api.addHook('onRequest', async (request) => {
        const cfg = request.routeOptions.config as { public?: boolean } | undefined;
        if (cfg?.public) return;
        checkServiceAuth(request, opts.serviceKey, jwtSecret, now());
      });
      bucketRoutes(api, store);
      objectJsonRoutes(api, deps);
      await api.register(async (uploads) => objectUploadRoutes(uploads, deps));
    },
    { prefix: STORAGE_PREFIX },
  );

  return app;
}
