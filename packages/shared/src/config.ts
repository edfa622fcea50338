import { Type, type Static } from 'typebox';
import { GenerationConfig } from './generations.ts';
import { TrainingConfig } from './models.ts';
import { UploadLimits } from './photos.ts';

export const AuthMode = Type.Union([Type.Literal('local'), Type.Literal('clerk')], {
  description: '`local`: email and password accounts kept by Visiona. `clerk`: sign-in through Clerk.',
});
export type AuthMode = Static<typeof AuthMode>;

/** A Sentry DSN is public by design: it only lets a client send events to the project. */
export const SentryBrowserConfig = Type.Object(
  {
    dsn: Type.String({ description: 'The Sentry DSN of the SPA project.' }),
    environment: Type.String(),
    release: Type.String(),
  },
  { additionalProperties: false },
);
export type SentryBrowserConfig = Static<typeof SentryBrowserConfig>;

/** What the SPA needs to know before anyone signs in. Public: no secrets here. */
export const PublicConfig = Type.Object(
  {
    version: Type.String(),
    authMode: AuthMode,
    clerkPublishableKey: Type.Union([Type.String(), Type.Null()]),
    embedded: Type.Boolean({
      description: 'True when Visiona runs on its embedded database and local service emulators.',
    }),
    features: Type.Object({
      promptEnhancement: Type.Boolean(),
      billing: Type.Boolean(),
      training: Type.Boolean(),
    }),
    uploads: UploadLimits,
    training: TrainingConfig,
    generation: GenerationConfig,
    sentry: Type.Union([SentryBrowserConfig, Type.Null()], {
      description: 'Where the SPA reports its errors (Sentry); null when the server has no SENTRY_WEB_DSN.',
    }),
  },
  { additionalProperties: false },
);
export type PublicConfig = Static<typeof PublicConfig>;
