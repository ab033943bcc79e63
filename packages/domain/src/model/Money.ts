import { Schema } from "effect"

/** ISO 4217 code, upper case. Stripe's lower-case codes are mapped at the adapter edge. */
export const Currency = Schema.String.pipe(
  Schema.pattern(/^[A-Z]{3}$/, { message: () => "currency must be a 3-letter upper-case ISO 4217 code" }),
  Schema.brand("Currency"),
)
export type Currency = typeof Currency.Type

/** Stripe's ceiling for one charge (99,999,999 minor units); anything above is bad input, not an overflow. */
export const MAX_AMOUNT = 99_999_999

/** A non-negative integer amount in minor units (cents); never a float. */
export const MinorUnits = Schema.Int.pipe(
  Schema.nonNegative({ message: () => "amount must be a non-negative integer of minor units" }),
  Schema.lessThanOrEqualTo(MAX_AMOUNT, { message: () => `amount must be at most ${MAX_AMOUNT} minor units` }),
)

export const Money = Schema.Struct({ amount: MinorUnits, currency: Currency })
export type Money = typeof Money.Type

export const money = (amount: number, currency: string): Money =>
  Money.make({ amount, currency: Currency.make(currency) })

export const sameCurrency = (a: Money, b: Money): boolean => a.currency === b.currency
