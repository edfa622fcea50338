import { Type, type Static } from 'typebox';

/** One problem with one input field, so a form can show it next to the field. */
export const FieldError = Type.Object(
  {
    field: Type.String({ description: 'Path of the offending field, e.g. `body.email`.' }),
    message: Type.String(),
  },
  {},
);
export type FieldError = Static<typeof FieldError>;

/**
 * The one error shape every non-2xx answer of the API uses.
 * A 5xx never carries internal details in `message`.
 */
export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer({ minimum: 400, maximum: 599 }),
    error: Type.String({ description: 'HTTP reason phrase, e.g. `Not Found`.' }),
    message: Type.String({ description: 'What went wrong, in words a person can act on.' }),
    requestId: Type.String({ description: 'Quote this when reporting a problem.' }),
    code: Type.Optional(Type.String({ description: 'Stable machine-readable error code.' })),
    details: Type.Optional(Type.Array(FieldError)),
  },
  { $id: 'ErrorResponse', additionalProperties: false },
);
export type ErrorResponse = Static<typeof ErrorResponse>;

export function isErrorResponse(value: unknown): value is ErrorResponse {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.statusCode === 'number' &&
    typeof v.error === 'string' &&
    typeof v.message === 'string' &&
    typeof v.requestId === 'string'
  );
}
