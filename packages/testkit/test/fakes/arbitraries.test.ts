import { CheckoutRequest, Coupon, PaymentEvent, Product } from "@settle/domain"
import { Either, Schema } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  cart,
  catalog,
  coupon,
  deliveryPlan,
  fromSchema,
  paymentEvent,
  validCart,
} from "../../src/arbitraries.js"

const decodesAs = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema)
  return (value: unknown) => Either.isRight(decode(value))
}

describe("arbitraries", () => {
  it("draws schema-valid payment events, and a different stream per draw of one record", () => {
    const isEvent = Schema.is(PaymentEvent)
    fc.assert(fc.property(paymentEvent, (event) => isEvent(event)))
    const pairs = fc.sample(fc.tuple(fromSchema(Schema.Int), fromSchema(Schema.Int)), {
      numRuns: 50,
      seed: 7,
    })
    expect(pairs.some(([a, b]) => a !== b)).toBe(true)
  })

  it("shrinks schema-derived values inside fast-check 4", () => {
    const details = fc.check(
      fc.property(fromSchema(Schema.Int), (n) => n < 1000),
      { seed: 3 },
    )
    expect(details.failed).toBe(true)
    expect(details.counterexample).toEqual([1000])
  })

  it("draws small valid catalogs in EUR with distinct skus", () => {
    const isProduct = Schema.is(Product)
    fc.assert(
      fc.property(catalog(), (products) => {
        expect(products.length).toBeGreaterThanOrEqual(1)
        expect(products.length).toBeLessThanOrEqual(5)
        expect(new Set(products.map((p) => p.sku)).size).toBe(products.length)
        for (const p of products) {
          expect(isProduct(p)).toBe(true)
          expect(p.stock.available).toBeLessThanOrEqual(20)
          expect(p.price.currency).toBe("EUR")
          expect(p.price.amount).toBeGreaterThanOrEqual(1)
          expect(p.price.amount).toBeLessThanOrEqual(10_000)
        }
      }),
    )
  })

  it("draws valid carts over the catalog, and bad carts that fail decoding exactly when flawed", () => {
    const isRequest = decodesAs(CheckoutRequest)
    fc.assert(
      fc.property(
        catalog().chain((products) =>
          fc.tuple(fc.constant(products), validCart(products, "SAVE10"), cart(products)),
        ),
        ([products, valid, drawn]) => {
          const skus = new Set<string>(products.map((p) => p.sku))
          expect(valid.items.length).toBeLessThanOrEqual(4)
          expect(valid.items.every((line) => skus.has(line.sku) && line.quantity <= 5)).toBe(true)
          expect(valid.couponCode).toBe("SAVE10")
          const knownSkus = drawn.input.items.every((line) => skus.has(line.sku))
          expect(drawn.flaw === "unknown_sku").toBe(!knownSkus)
          // An unknown sku is well-formed input; it fails later, against the catalog.
          expect(isRequest(drawn.input)).toBe(drawn.flaw === null || drawn.flaw === "unknown_sku")
        },
      ),
    )
  })

  it("draws every kind of flaw", () => {
    const flaws = new Set(
      fc
        .sample(
          catalog().chain((products) => cart(products)),
          { numRuns: 400, seed: 1 },
        )
        .map((c) => c.flaw),
    )
    expect(flaws).toEqual(
      new Set([
        null,
        "unknown_sku",
        "zero_quantity",
        "negative_quantity",
        "huge_quantity",
        "fractional_quantity",
      ]),
    )
  })

  it("draws valid coupons with 1-5 redemptions, all available", () => {
    const isCoupon = Schema.is(Coupon)
    fc.assert(
      fc.property(coupon(), (c) => {
        expect(isCoupon(c)).toBe(true)
        expect(c.maxRedemptions).toBeLessThanOrEqual(5)
        expect(c.available).toBe(c.maxRedemptions)
      }),
    )
  })

  it("delivers every event 1-3 times, in shuffled order, with optional crash points", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(fc.constant(n), deliveryPlan(n))),
        ([n, plan]) => {
          for (let event = 0; event < n; event++) {
            const copies = plan.filter((d) => d.event === event).length
            expect(copies).toBeGreaterThanOrEqual(1)
            expect(copies).toBeLessThanOrEqual(3)
          }
          expect(plan.every((d) => d.crashAt === null || (d.crashAt >= 1 && d.crashAt <= 12))).toBe(true)
        },
      ),
    )
    const plans = fc.sample(deliveryPlan(3), { numRuns: 100, seed: 5 })
    expect(plans.some((plan) => plan.some((d) => d.crashAt !== null))).toBe(true)
    expect(plans.some((plan) => plan[0]?.event !== 0)).toBe(true)
    expect(
      fc
        .sample(deliveryPlan(2, { maxCrashAt: 0 }), 20)
        .flat()
        .every((d) => d.crashAt === null),
    ).toBe(true)
  })
})
