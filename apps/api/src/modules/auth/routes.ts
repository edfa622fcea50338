import { Type } from 'typebox';
import { Credentials, SessionResponse } from '@visiona/shared';
import type { Config } from '../../config.ts';
import type { App } from '../../lib/http.ts';
import { requestMeta, withErrors } from '../../lib/http.ts';
import { requireScope } from '../../plugins/auth.ts';
import { Forbidden } from '../../lib/errors.ts';
import type { AuthService } from './service.ts';

export default async function authRoutes(app: App, opts: { auth: AuthService; config: Config; clerkMode: boolean }) {
  const localOnly = async () => {
    if (opts.clerkMode) {
      throw new Forbidden('This server signs in with Clerk; local accounts are turned off. Sign in through the web app.');
    }
  };
  const signInLimit = { max: opts.config.rateLimit.authMax, timeWindow: opts.config.rateLimit.windowMs };

  app.post(
    '/api/v1/auth/signup',
    {
      config: { public: true, rateLimit: signInLimit },
      preValidation: localOnly,
      schema: {
        tags: ['auth'],
        operationId: 'signup',
        summary: 'Create a local account and sign in.',
        body: Credentials,
        response: withErrors({ 201: SessionResponse }),
      },
    },
    async (request, reply) => {
      const session = await opts.auth.signup(request.body.email, request.body.password, requestMeta(request));
      return reply.code(201).send(session);
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true, rateLimit: signInLimit },
      preValidation: localOnly,
      schema: {
        tags: ['auth'],
        operationId: 'login',
        summary: 'Sign in with email and password.',
        body: Credentials,
        response: withErrors({ 200: SessionResponse }),
      },
    },
    async (request) => opts.auth.login(request.body.email, request.body.password, requestMeta(request)),
  );

  app.post(
    '/api/v1/auth/logout',
    {
      schema: {
        tags: ['auth'],
        operationId: 'logout',
        summary: 'End the current session. Its token stops working at once.',
        security: requireScope(null),
        response: withErrors({ 204: Type.Null({ description: 'Signed out.' }) }),
      },
    },
    async (request, reply) => {
      await opts.auth.logout(request.user!);
      return reply.code(204).send(null);
    },
  );
}
