import { Schema } from "effect"
import { OrderId } from "./Ids.js"

export const Actor = Schema.Trim.pipe(
  Schema.minLength(1, { message: () => "actor must not be empty" }),
  Schema.maxLength(200),
)

export const AuditRecord = Schema.Struct({
  id: Schema.String,
  actor: Actor,
  action: Schema.String,
  orderId: Schema.NullOr(OrderId),
  /** The operator's reason or internal note; the runbook asks every manual step to leave one. */
  reason: Schema.NullOr(Schema.String),
  before: Schema.NullOr(Schema.Unknown),
  after: Schema.NullOr(Schema.Unknown),
  at: Schema.DateFromSelf,
})
export type AuditRecord = typeof AuditRecord.Type
