import { Schema } from "effect"
import { Hold } from "./Hold.js"
import { CouponCode, CouponId } from "./Ids.js"
import { Money } from "./Money.js"

const Count = Schema.Int.pipe(Schema.nonNegative())

export const PercentDiscount = Schema.TaggedStruct("percent", {
  percent: Schema.Int.pipe(Schema.between(1, 100, { message: () => "percent must be an integer 1-100" })),
})
export const AmountDiscount = Schema.TaggedStruct("amount", { amount: Money })
export const Discount = Schema.Union(PercentDiscount, AmountDiscount)
export type Discount = typeof Discount.Type

export const MaxRedemptions = Schema.Int.pipe(
  Schema.between(1, 1_000_000_000, { message: () => "maxRedemptions must be an integer 1-1000000000" }),
)

/**
 * available + reservedCount + redeemedCount = maxRedemptions, and reservedCount equals the summed
 * holds: each capacity move updates the counters and the holds in the same atomic write.
 */
export const Coupon = Schema.Struct({
  id: CouponId,
  code: CouponCode,
  discount: Discount,
  maxRedemptions: MaxRedemptions,
  available: Count,
  reservedCount: Count,
  redeemedCount: Count,
  holds: Schema.Array(Hold),
  expiresAt: Schema.NullOr(Schema.DateFromSelf),
  active: Schema.Boolean,
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.DateFromSelf,
  version: Count,
})
export type Coupon = typeof Coupon.Type

/**
 * A coupon's terms, without its holds and counters: what the checkout reads. Capacity lives in the
 * counters and holds, and the hold decides it atomically, exhaustion included; a checkout that read them
 * would pay for each open hold of a popular coupon, and on Mongo for each place its counters are spread
 * over (issue 13). `version` and `updatedAt` go too: every capacity move bumps them, so they are counters
 * as well (on Mongo, summed over the places).
 */
export const CouponTerms = Coupon.omit(
  "holds",
  "available",
  "reservedCount",
  "redeemedCount",
  "version",
  "updatedAt",
)
export type CouponTerms = typeof CouponTerms.Type

/**
 * A coupon as the admin API shows it: its counters without the holds behind them, one per open checkout
 * (tens of thousands on a hot coupon), so reading it costs the same however many are open.
 */
export const CouponSummary = Coupon.omit("holds")
export type CouponSummary = typeof CouponSummary.Type
