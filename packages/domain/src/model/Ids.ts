import { Schema } from "effect"

const id = <B extends string>(brand: B) =>
  Schema.String.pipe(
    Schema.minLength(1, { message: () => `${brand} must not be empty` }),
    Schema.maxLength(128),
    // Rejects "$gt"-style operator keys and dotted paths before they can reach a store query.
    Schema.pattern(/^[A-Za-z0-9_:.-]+$/, {
      message: () => `${brand} has characters outside [A-Za-z0-9_:.-]`,
    }),
    Schema.brand(brand),
  )

export const OrderId = id("OrderId")
export type OrderId = typeof OrderId.Type
export const ProductId = id("ProductId")
export type ProductId = typeof ProductId.Type
export const CouponId = id("CouponId")
export type CouponId = typeof CouponId.Type
export const Sku = id("Sku")
export type Sku = typeof Sku.Type
export const SessionId = id("SessionId")
export type SessionId = typeof SessionId.Type
export const PaymentIntentId = id("PaymentIntentId")
export type PaymentIntentId = typeof PaymentIntentId.Type
export const StripeEventId = id("StripeEventId")
export type StripeEventId = typeof StripeEventId.Type
export const RefundId = id("RefundId")
export type RefundId = typeof RefundId.Type

export const CouponCode = Schema.String.pipe(
  Schema.pattern(/^[A-Z0-9_-]{2,32}$/, { message: () => "coupon code must be 2-32 of A-Z 0-9 _ -" }),
  Schema.brand("CouponCode"),
)
export type CouponCode = typeof CouponCode.Type

export const Email = Schema.String.pipe(
  Schema.maxLength(254),
  Schema.pattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: () => "email must be an address like a@b.co" }),
)
