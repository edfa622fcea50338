import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorResponse } from '@visiona/shared';
import type { Config } from '../config.ts';

export const OPENAPI_INFO = {
  title: 'Visiona API',
  description:
    'Create an AI clone of yourself: upload photos, train a personal FLUX LoRA, generate images of yourself. ' +
    'Authenticate with `Authorization: Bearer <token>` (a session token from sign-in, or a personal API token). ' +
    'Every error has the shape `ErrorResponse`.',
  license: { name: 'Proprietary', url: 'https://visiona.app/terms' },
};

export default fp(
  async function openapiPlugin(app: FastifyInstance, opts: { config: Config }) {
    app.addSchema(ErrorResponse);
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { ...OPENAPI_INFO, version: opts.config.version },
        servers: [{ url: '/', description: 'This server' }],
        tags: [
          { name: 'system', description: 'Health and public configuration.' },
          { name: 'auth', description: 'Local accounts: sign-up, sign-in, sign-out.' },
          { name: 'account', description: 'The signed-in user.' },
          { name: 'tokens', description: 'Personal API tokens for scripts and programs.' },
          { name: 'photos', description: 'Training photos: upload, list, delete.' },
          { name: 'models', description: 'Your trained models: start a training, follow its progress, cancel, delete.' },
          { name: 'generations', description: 'Generate images with your model, prompt enhancement, presets, and your gallery.' },
          { name: 'billing', description: 'Plans, your subscription and credits, Stripe checkout and the customer portal.' },
          { name: 'webhooks', description: 'Events from Clerk and other providers, authenticated by signature.' },
        ],
        components: {
          securitySchemes: {
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              description:
                'A session token from sign-in (`vss_…`, or a Clerk session token), or a personal API token (`vsk_…`). ' +
                'The scope an operation lists is what an API token needs; sessions may do everything.',
            },
          },
        },
      },
      // Routes that read a multipart stream document their body here instead of validating it.
      transform: ({ schema, url, route }) => {
        const body = (route.config as { multipartBody?: unknown } | undefined)?.multipartBody;
        return { schema: body ? ({ ...schema, body } as typeof schema) : schema, url };
      },
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
    });
    await app.register(swaggerUi, {
      routePrefix: '/api/docs',
      staticCSP: true,
      uiConfig: { deepLinking: true, persistAuthorization: false },
    });
    app.get('/api/openapi.json', { schema: { hide: true }, config: { public: true } }, () => app.swagger());
  },
  { name: 'openapi' },
);
