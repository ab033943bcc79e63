import { Schema } from "effect"
import { OrderId } from "./Ids.js"

/**
 * Capacity held for one order, kept inside the counter's own document (product stock, coupon) so
 * that moving capacity and recording who moved it is one single-document atomic update: no
 * transaction, and a retried step can never apply twice.
 */
export const Hold = Schema.Struct({
  /** `<orderId>/<epoch>`: the epoch changes when an expired order is revived by a late payment. */
  key: Schema.String,
  orderId: OrderId,
  quantity: Schema.Int.pipe(Schema.positive()),
  at: Schema.DateFromSelf,
})
export type Hold = typeof Hold.Type

export const holdKey = (orderId: OrderId, epoch: number): string => `${orderId}/${epoch}`

export const HoldOutcome = Schema.Literal("held", "already_held", "insufficient", "not_found")
export type HoldOutcome = typeof HoldOutcome.Type

export const CommitOutcome = Schema.Literal("committed", "not_held")
export type CommitOutcome = typeof CommitOutcome.Type

export const ReleaseOutcome = Schema.Literal("released", "not_held")
export type ReleaseOutcome = typeof ReleaseOutcome.Type
