import { Type, type Static } from 'typebox';
import { GenerationConfig } from './generations.ts';
import { TrainingConfig } from './models.ts';
import { UploadLimits } from './photos.ts';

export const AuthMode = Type.Union([Type.Literal('local'), Type.Literal('clerk')], {
  description: '`local`: email and password accounts kept by Visiona. `clerk`: sign-in through Clerk.',
});
export type AuthMode = Static<typeof AuthMode>;

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
  },
  { additionalProperties: false },
);
export type PublicConfig = Static<typeof PublicConfig>;
