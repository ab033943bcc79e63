import { SandboxControl } from "@settle/adapters"
import { type CheckoutRequest, createCheckout, type Product } from "@settle/domain"
import { Effect, type Layer } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { coupon as anyCoupon, cart, catalog, couponCode, validCart } from "../arbitraries.js"
import type { StoragePorts } from "../world.js"
import { type PropertyOptions, propertyRuns, propertyTimeout, yieldingEachRun } from "./propertyRuns.js"
import {
  type ExpectedRefusal,
  expectedCheckoutError,
  REFUSAL_TAGS,
  typedFailure,
} from "./support/I345BadInput.js"
import { snapshot } from "./support/I345Checks.js"
import { stock, withWorld } from "./support/I345World.js"

interface BadRequest {
  readonly input: unknown
  readonly expected: ExpectedRefusal
}

const bad = (input: unknown, expected: ExpectedRefusal): BadRequest => ({ input, expected })

/** Spoils line `at` of a valid request with `change`. */
const spoilLine = (request: CheckoutRequest, at: number, change: Record<string, unknown>) => ({
  ...request,
  items: request.items.map((line, i) => (i === at % request.items.length ? { ...line, ...change } : line)),
})

/** One bad request of each kind the checkout route must answer with a 4xx naming what is wrong. */
const badRequest = (products: ReadonlyArray<Product>, knownCode: string): fc.Arbitrary<BadRequest> => {
  const valid = validCart(products)
  return fc.oneof(
    // unknown sku, zero, negative, huge or fractional quantity: one flaw, one named line
    cart(products)
      .filter((drawn) => drawn.flaw !== null)
      .map((drawn) => bad(drawn.input, expectedCheckoutError(drawn, products))),
    fc
      .tuple(
        valid,
        couponCode.filter((code) => code !== knownCode),
      )
      .map(([request, code]) => bad({ ...request, couponCode: code }, { _tag: "UnknownCoupon", code })),
    valid.map((request) =>
      bad({ ...request, couponCode: "save-10" }, { _tag: "InvalidInput", field: "couponCode" }),
    ),
    valid.map((request) =>
      bad({ ...request, currency: "USD" }, { _tag: "CurrencyMismatch", field: "items.0" }),
    ),
    valid.map((request) => bad({ ...request, items: [] }, { _tag: "InvalidInput", field: "items" })),
    valid.map((request) =>
      bad({ ...request, email: "not-an-address" }, { _tag: "InvalidInput", field: "email" }),
    ),
    // Money from the client, fractional or not, is refused: prices come from the catalog only.
    fc
      .tuple(valid, fc.nat(), fc.double({ min: 0.01, max: 1e6, noNaN: true, noInteger: true }))
      .map(([request, at, amount]) =>
        bad(spoilLine(request, at, { unitPrice: { amount, currency: "EUR" } }), {
          _tag: "InvalidInput",
          field: `items.${at % request.items.length}.unitPrice`,
        }),
      ),
    fc
      .tuple(valid, fc.double({ noInteger: true }))
      .map(([request, total]) => bad({ ...request, total }, { _tag: "InvalidInput", field: "total" })),
    fc
      .tuple(valid, fc.nat(), fc.constantFrom<unknown>(Number.NaN, Number.POSITIVE_INFINITY, "2", null))
      .map(([request, at, quantity]) =>
        bad(spoilLine(request, at, { quantity }), {
          _tag: "InvalidInput",
          field: `items.${at % request.items.length}.quantity`,
        }),
      ),
    // The same sku on two lines would be held twice under one key: refused before any lookup.
    valid.map((request) => {
      const [first] = request.items
      return bad(
        { ...request, items: [...request.items, ...(first === undefined ? [] : [first])] },
        { _tag: "InputRefused", field: `items.${request.items.length}.sku` },
      )
    }),
  )
}

const scenario = fc.tuple(catalog(), anyCoupon()).chain(([products, coupon]) =>
  fc.record({
    products: fc.constant(products),
    coupon: fc.constant(coupon),
    request: badRequest(products, coupon.code),
  }),
)

export const suite = <E>(
  name: string,
  storage: Layer.Layer<StoragePorts, E>,
  options: PropertyOptions = {},
): void => {
  const numRuns = options.runs ?? propertyRuns(60)

  describe(`${name}: I5 bad input`, () => {
    it(
      "I5 bad carts fail with a typed error naming what is wrong, never a defect, and change nothing",
      () =>
        fc.assert(
          fc.asyncProperty(
            scenario,
            yieldingEachRun(({ products, coupon, request }) =>
              withWorld(storage, async (world) => {
                await world.run(stock(products, [coupon]))
                const before = await world.run(snapshot)
                const exit = await world.run(Effect.exit(createCheckout(request.input)))
                const error = typedFailure(exit)
                expect(REFUSAL_TAGS).toContain(error._tag)
                expect(error).toMatchObject(request.expected)
                expect(await world.run(snapshot)).toEqual(before)
                expect(
                  await world.run(Effect.flatMap(SandboxControl, (control) => control.sessions)),
                ).toEqual([])
              }),
            ),
          ),
          { numRuns },
        ),
      // Measured up to 15 ms a run.
      propertyTimeout(numRuns, 60, options),
    )
  })
}
