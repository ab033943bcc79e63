import { Schema } from "effect"
import { CouponCode, Email, Sku } from "./Ids.js"
import { Currency } from "./Money.js"
import { Quantity } from "./Order.js"

export const CartLine = Schema.Struct({ sku: Sku, quantity: Quantity })

/** What a shopper submits; decoded from unknown input so bad carts are typed errors naming the field. */
export const CheckoutRequest = Schema.Struct({
  items: Schema.Array(CartLine).pipe(
    Schema.minItems(1, { message: () => "items must hold at least one line" }),
    Schema.maxItems(50, { message: () => "items must hold at most 50 lines" }),
  ),
  currency: Currency,
  email: Email,
  couponCode: Schema.optional(CouponCode),
})
export type CheckoutRequest = typeof CheckoutRequest.Type
