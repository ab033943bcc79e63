import { Either } from "effect"
import { AmountTooLarge, CurrencyMismatch } from "../errors.js"
import type { Discount } from "../model/Coupon.js"
import { type Currency, MAX_AMOUNT } from "../model/Money.js"
import type { OrderItem, Totals } from "../model/Order.js"

/** Whole-cart discount in minor units, rounded down so the shop never gives away a fraction of a cent. */
export const discountOf = (discount: Discount, subtotal: number): number =>
  discount._tag === "percent"
    ? Math.floor((subtotal * discount.percent) / 100)
    : Math.min(discount.amount.amount, subtotal)

/** Price a cart; every line must be in the requested currency and the total must fit one payment. */
export const priceCart = (
  items: ReadonlyArray<OrderItem>,
  currency: Currency,
  discount: Discount | null,
): Either.Either<Totals, CurrencyMismatch | AmountTooLarge> => {
  for (const [index, item] of items.entries()) {
    if (item.unitPrice.currency !== currency) {
      return Either.left(
        new CurrencyMismatch({
          field: `items.${index}`,
          expected: currency,
          actual: item.unitPrice.currency,
        }),
      )
    }
  }
  if (discount?._tag === "amount" && discount.amount.currency !== currency) {
    return Either.left(
      new CurrencyMismatch({ field: "couponCode", expected: currency, actual: discount.amount.currency }),
    )
  }
  const subtotal = items.reduce((sum, item) => sum + item.unitPrice.amount * item.quantity, 0)
  if (subtotal > MAX_AMOUNT)
    return Either.left(new AmountTooLarge({ amount: subtotal, max: MAX_AMOUNT, currency }))
  const off = discount === null ? 0 : discountOf(discount, subtotal)
  return Either.right({ subtotal, discount: off, total: subtotal - off, currency })
}
