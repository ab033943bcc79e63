import { type Product, Quantity } from "@settle/domain"
import { Cause, Exit, Option, Schema } from "effect"
import { expect } from "vitest"
import type { DrawnCart } from "../../arbitraries.js"

/** The refusal a bad checkout must end in: a tag the server maps to a 4xx, and what it names. */
export type ExpectedRefusal =
  | { readonly _tag: "InvalidInput"; readonly field: string }
  | { readonly _tag: "InputRefused"; readonly field: string }
  | { readonly _tag: "UnknownSku"; readonly sku: string }
  | { readonly _tag: "UnknownCoupon"; readonly code: string }
  | { readonly _tag: "CurrencyMismatch"; readonly field: string }

export const REFUSAL_TAGS: ReadonlyArray<string> = [
  "InvalidInput",
  "InputRefused",
  "UnknownSku",
  "UnknownCoupon",
  "CurrencyMismatch",
]

const isQuantity = Schema.is(Quantity)

/** What a cart drawn with one flaw (arbitraries.cart) must be refused with: the flawed line, by path. */
export const expectedCheckoutError = (cart: DrawnCart, products: ReadonlyArray<Product>): ExpectedRefusal => {
  const known = new Set<string>(products.map((p) => p.sku))
  const lines = cart.input.items
  if (cart.flaw === "unknown_sku") {
    return { _tag: "UnknownSku", sku: lines.find((line) => !known.has(line.sku))?.sku ?? "(none)" }
  }
  return {
    _tag: "InvalidInput",
    field: `items.${lines.findIndex((line) => !isQuantity(line.quantity))}.quantity`,
  }
}

/**
 * The error in a failed exit, failing the test when the program succeeded or died: bad input must be
 * a typed failure in the error channel, never a defect that would surface as a 500.
 */
export const typedFailure = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) return expect.fail("expected a typed failure, the program succeeded")
  expect(Cause.isDie(exit.cause), Cause.pretty(exit.cause)).toBe(false)
  const failure = Cause.failureOption(exit.cause)
  return Option.isSome(failure) ? failure.value : expect.fail(`no typed failure: ${Cause.pretty(exit.cause)}`)
}
