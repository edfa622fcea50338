import { Type, type Static } from 'typebox';
import { Me } from './me.ts';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

export const Credentials = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254, description: 'Compared case-insensitively.' }),
    password: Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH }),
  },
  { additionalProperties: false },
);
export type Credentials = Static<typeof Credentials>;

export const SessionResponse = Type.Object(
  {
    token: Type.String({ description: 'Send as `Authorization: Bearer <token>`.' }),
    expiresAt: Type.String({ format: 'date-time' }),
    user: Me,
  },
  { additionalProperties: false },
);
export type SessionResponse = Static<typeof SessionResponse>;
