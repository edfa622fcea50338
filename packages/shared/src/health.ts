import { Type, type Static } from 'typebox';

export const HealthStatus = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
    checks: Type.Optional(Type.Record(Type.String(), Type.Union([Type.Literal('ok'), Type.Literal('failed')]))),
  },
  { additionalProperties: false },
);
export type HealthStatus = Static<typeof HealthStatus>;
