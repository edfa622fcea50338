import { Type, type Static } from 'typebox';
import { AuthMode } from './config.ts';

export const Me = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    plan: Type.String(),
    authMode: AuthMode,
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type Me = Static<typeof Me>;
