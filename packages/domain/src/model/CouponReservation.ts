import { Schema } from "effect"
import { CouponId, OrderId } from "./Ids.js"

export const CouponReservationStatus = Schema.Literal("reserved", "redeemed", "released", "expired")
export type CouponReservationStatus = typeof CouponReservationStatus.Type

/** The operator-visible record of a coupon hold; unique per (couponId, orderId). */
export const CouponReservation = Schema.Struct({
  couponId: CouponId,
  orderId: OrderId,
  status: CouponReservationStatus,
  expiresAt: Schema.DateFromSelf,
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.DateFromSelf,
})
export type CouponReservation = typeof CouponReservation.Type
