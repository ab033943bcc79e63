import { Schema } from "effect"
import { Count, IsoDateTime, MoneyJson, NextCursor, NullableDateTime } from "./common.js"

const Discount = Schema.Union(
  Schema.Struct({ _tag: Schema.Literal("percent"), percent: Schema.Int.pipe(Schema.between(1, 100)) }),
  Schema.Struct({ _tag: Schema.Literal("amount"), amount: MoneyJson }),
)

/** An admin's view of a coupon: capacity counters, not the holds behind them. */
export const CouponJson = Schema.Struct({
  id: Schema.String,
  code: Schema.String,
  discount: Discount,
  maxRedemptions: Count,
  available: Count,
  reservedCount: Count,
  redeemedCount: Count,
  expiresAt: NullableDateTime,
  active: Schema.Boolean,
  version: Count,
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
}).annotations({ identifier: "Coupon" })
export type CouponJson = typeof CouponJson.Type

export const CouponAnswer = Schema.Struct({ coupon: CouponJson })

export const CouponPage = Schema.Struct({ coupons: Schema.Array(CouponJson), nextCursor: NextCursor })
