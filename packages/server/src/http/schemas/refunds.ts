import { Schema } from "effect"
import { IsoDateTime, MoneyJson } from "./common.js"

/** A refund as an operator sees it; its amount is in the captured currency. */
export const RefundJson = Schema.Struct({
  // Also the Stripe idempotency key, `refund:<orderId>:<n>`: the runbook asks manual edits to keep it.
  id: Schema.String,
  amount: MoneyJson,
  gatewayRefundId: Schema.NullOr(Schema.String),
  reason: Schema.NullOr(Schema.String),
  restock: Schema.Boolean,
  at: IsoDateTime,
}).annotations({ identifier: "Refund" })
export type RefundJson = typeof RefundJson.Type

/** A refund as the customer sees it on their order. */
export const CustomerRefundJson = Schema.Struct({ amount: MoneyJson, at: IsoDateTime })
