import { Type, type Static } from 'typebox';

/** What a personal API token may do. Sessions (the web app) may do everything. */
export const TOKEN_SCOPES = ['read', 'photos', 'train', 'generate', 'billing', 'tokens', 'account'] as const;
export type TokenScopeName = (typeof TOKEN_SCOPES)[number];

export const TOKEN_SCOPE_DESCRIPTIONS: Record<TokenScopeName, string> = {
  read: 'Read your profile, photos, models, images and billing status.',
  photos: 'Upload and delete training photos.',
  train: 'Start and cancel model trainings.',
  generate: 'Generate images and manage your gallery.',
  billing: 'Start checkout and open the billing portal.',
  tokens: 'Create and revoke API tokens.',
  account: 'Export or delete your account.',
};

export const TokenScope = Type.Enum([...TOKEN_SCOPES], {
  description: TOKEN_SCOPES.map((s) => `\`${s}\`: ${TOKEN_SCOPE_DESCRIPTIONS[s]}`).join(' '),
});

export const TOKEN_NAME_MAX_LENGTH = 100;
export const TOKEN_MAX_LIFETIME_DAYS = 365;

export const CreateTokenRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: TOKEN_NAME_MAX_LENGTH, description: 'What the token is for.' }),
    scopes: Type.Array(TokenScope, { minItems: 1, maxItems: TOKEN_SCOPES.length, uniqueItems: true }),
    expiresInDays: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: TOKEN_MAX_LIFETIME_DAYS,
        description: 'Days until the token stops working. Omit for a token that does not expire.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateTokenRequest = Static<typeof CreateTokenRequest>;

export const ApiToken = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    prefix: Type.String({ description: 'The first characters of the token, to recognise it.' }),
    scopes: Type.Array(TokenScope),
    createdAt: Type.String({ format: 'date-time' }),
    lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type ApiToken = Static<typeof ApiToken>;

export const CreatedApiToken = Type.Object(
  {
    ...ApiToken.properties,
    token: Type.String({ description: 'The secret. Shown only in this response: store it now.' }),
  },
  { additionalProperties: false },
);
export type CreatedApiToken = Static<typeof CreatedApiToken>;

export const ApiTokenList = Type.Object({ items: Type.Array(ApiToken) }, { additionalProperties: false });
export type ApiTokenList = Static<typeof ApiTokenList>;
