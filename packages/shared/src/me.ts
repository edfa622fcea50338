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

/**
 * Deleting the account is irreversible, so the request repeats the account's
 * email address (any case): a stray `curl -X DELETE` or a wrong token deletes nothing.
 */
export const DeleteAccountRequest = Type.Object(
  {
    confirm: Type.String({
      minLength: 1,
      maxLength: 320,
      description: "The account's email address, typed out to confirm the deletion.",
    }),
  },
  { additionalProperties: false },
);
export type DeleteAccountRequest = Static<typeof DeleteAccountRequest>;

export const DeleteAccountResponse = Type.Object(
  {
    status: Type.Literal('deleting', {
      description:
        'The account is closed now (sessions and tokens stop working); its photos, images, models, Replicate models and subscription are removed in the background within minutes.',
    }),
    message: Type.String(),
  },
  { additionalProperties: false },
);
export type DeleteAccountResponse = Static<typeof DeleteAccountResponse>;
