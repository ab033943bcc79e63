import { Schema } from "effect"
import { ExpectedVersion, InstantInput } from "./AdminInput.js"
import { MaxRedemptions, PercentDiscount } from "./Coupon.js"
import { CouponCode, CouponId } from "./Ids.js"
import { Currency, MinorUnits } from "./Money.js"

/** A coupon id in an admin request (path parameter). */
export const CouponRef = Schema.Struct({ id: CouponId })

/** An amount off; zero is refused here since a coupon that takes nothing off is a mistake. */
const AmountOffInput = Schema.TaggedStruct("amount", {
  amount: Schema.Struct({
    amount: MinorUnits.pipe(Schema.positive({ message: () => "amount must be at least 1 minor unit" })),
    currency: Currency,
  }),
})

/** `{ _tag: "percent", percent: 1..100 }` or `{ _tag: "amount", amount: { amount, currency } }`. */
export const DiscountInput = Schema.Union(PercentDiscount, AmountOffInput)

/**
 * A new coupon has all of its `maxRedemptions` available. The capacity counters are not inputs:
 * see `createCoupon`.
 */
export const CreateCouponInput = Schema.Struct({
  code: CouponCode,
  discount: DiscountInput,
  maxRedemptions: MaxRedemptions,
  expiresAt: Schema.optional(Schema.NullOr(InstantInput)),
  active: Schema.optional(Schema.Boolean),
})
export type CreateCouponInput = typeof CreateCouponInput.Type

/** `expiresAt: null` removes the expiry. */
export const UpdateCouponInput = Schema.Struct({
  active: Schema.optional(Schema.Boolean),
  expiresAt: Schema.optional(Schema.NullOr(InstantInput)),
  expectedVersion: Schema.optional(ExpectedVersion),
})
export type UpdateCouponInput = typeof UpdateCouponInput.Type
