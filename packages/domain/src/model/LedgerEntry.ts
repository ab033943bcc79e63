import { Schema } from "effect"
import { OrderId } from "./Ids.js"
import { Money } from "./Money.js"

export const LedgerKind = Schema.Literal("payment", "refund")
export type LedgerKind = typeof LedgerKind.Type

/** Append-only; (kind, externalId) is unique, which makes appending a payment or refund idempotent. */
export const LedgerEntry = Schema.Struct({
  id: Schema.String,
  orderId: OrderId,
  kind: LedgerKind,
  amount: Money,
  /** paymentIntentId for payments, the gateway refund id for refunds. */
  externalId: Schema.String,
  idempotencyKey: Schema.String,
  createdAt: Schema.DateFromSelf,
})
export type LedgerEntry = typeof LedgerEntry.Type
