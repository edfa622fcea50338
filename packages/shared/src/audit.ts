import { Type, type Static } from 'typebox';

export const AUDIT_PAGE_MAX = 100;

export const AuditEvent = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    action: Type.String({ description: 'What happened, e.g. `account.created`, `auth.login`, `token.created`, `training.requested`, `billing.plan_changed`, `credits.granted`.' }),
    details: Type.Record(Type.String(), Type.Unknown(), { description: 'Facts about the event (ids, amounts, plan); never secrets.' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type AuditEvent = Static<typeof AuditEvent>;

export const AuditList = Type.Object(
  {
    items: Type.Array(AuditEvent, { description: 'Newest first.' }),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page.' }),
  },
  { additionalProperties: false },
);
export type AuditList = Static<typeof AuditList>;

export const AuditListQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AUDIT_PAGE_MAX, default: 50 })),
  },
  { additionalProperties: false },
);
export type AuditListQuery = Static<typeof AuditListQuery>;
