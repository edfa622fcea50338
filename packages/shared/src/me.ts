import { Type, type Static } from 'typebox';
import { AuthMode } from './config.ts';

export const Me = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    plan: Type.String(),
    creditBalance: Type.Integer({ minimum: 0, description: 'Credits available to spend.' }),
    authMode: AuthMode,
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type Me = Static<typeof Me>;
