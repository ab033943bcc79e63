import {
  CheckoutRequest,
  Coupon,
  CouponCode,
  CouponId,
  Email,
  money,
  PaymentEvent,
  Product,
  ProductId,
  Sku,
} from "@settle/domain"
import { Schema } from "effect"
import * as fc from "fast-check"
import { T0 } from "./fixtures.js"
import { fromSchema } from "./schemaArbitrary.js"

export { fromSchema } from "./schemaArbitrary.js"

/** Any event the webhook edge may hand the domain, straight from the domain schema. */
export const paymentEvent: fc.Arbitrary<PaymentEvent> = fromSchema(PaymentEvent)
export const email: fc.Arbitrary<string> = fromSchema(Email)
export const couponCode: fc.Arbitrary<CouponCode> = fromSchema(CouponCode)

const CURRENCY = "EUR"

/** 1-5 active products `SKU-1…` with 0-20 units available at 1-10000 minor units, in EUR. */
export const catalog = (at: Date = T0): fc.Arbitrary<ReadonlyArray<Product>> =>
  fc
    .array(
      fc.record({ price: fc.integer({ min: 1, max: 10_000 }), available: fc.integer({ min: 0, max: 20 }) }),
      {
        minLength: 1,
        maxLength: 5,
      },
    )
    .map((rows) =>
      rows.map(({ price, available }, i) =>
        Product.make({
          id: ProductId.make(`prod_${i + 1}`),
          sku: Sku.make(`SKU-${i + 1}`),
          name: `Product ${i + 1}`,
          price: money(price, CURRENCY),
          stock: { available, reserved: 0, committed: 0 },
          holds: [],
          active: true,
          createdAt: at,
          updatedAt: at,
          version: 0,
        }),
      ),
    )

/** A checkout body as a client sends it: plain strings and numbers, not yet decoded. */
export interface CartInput {
  readonly items: ReadonlyArray<{ readonly sku: string; readonly quantity: number }>
  readonly currency: string
  readonly email: string
  readonly couponCode?: string
}

/** The one thing wrong with a bad cart, so a test knows which error to expect. */
export type CartFlaw =
  | "unknown_sku"
  | "zero_quantity"
  | "negative_quantity"
  | "huge_quantity"
  | "fractional_quantity"

export interface DrawnCart {
  readonly input: CartInput
  readonly flaw: CartFlaw | null
}

const shoppers = fc.constantFrom("ada@example.com", "grace@example.org", "linus@example.net")

const wellFormed = (products: ReadonlyArray<Product>, couponCode?: string): fc.Arbitrary<CartInput> =>
  fc
    .record({
      lines: fc.uniqueArray(
        fc.record({
          index: fc.integer({ min: 0, max: products.length - 1 }),
          quantity: fc.integer({ min: 1, max: 5 }),
        }),
        { minLength: 1, maxLength: Math.min(4, products.length), selector: (line) => line.index },
      ),
      email: shoppers,
    })
    .map(({ lines, email }) => ({
      items: lines.map(({ index, quantity }) => ({ sku: products[index]?.sku ?? "", quantity })),
      currency: CURRENCY,
      email,
      ...(couponCode === undefined ? {} : { couponCode }),
    }))

/** A valid cart over `products`: 1-4 distinct lines of 1-5 units (stock may still be short). */
export const validCart = (
  products: ReadonlyArray<Product>,
  couponCode?: string,
): fc.Arbitrary<CheckoutRequest> =>
  wellFormed(products, couponCode).map((input) => Schema.decodeUnknownSync(CheckoutRequest)(input))

const flawedQuantity: Record<Exclude<CartFlaw, "unknown_sku">, fc.Arbitrary<number>> = {
  zero_quantity: fc.constant(0),
  negative_quantity: fc.integer({ min: -1_000_000, max: -1 }),
  huge_quantity: fc.oneof(
    fc.integer({ min: 1001, max: 2_000_000_000 }),
    fc.constant(Number.MAX_SAFE_INTEGER),
  ),
  fractional_quantity: fc.double({ min: 0.01, max: 5, noNaN: true, noInteger: true }),
}

const flawed = (products: ReadonlyArray<Product>, couponCode?: string): fc.Arbitrary<DrawnCart> => {
  const known = new Set<string>(products.map((p) => p.sku))
  const unknownSku = fromSchema(Sku).filter((sku) => !known.has(sku))
  return fc
    .record({
      input: wellFormed(products, couponCode),
      flaw: fc.constantFrom<CartFlaw>(
        "unknown_sku",
        "zero_quantity",
        "negative_quantity",
        "huge_quantity",
        "fractional_quantity",
      ),
      at: fc.nat(),
    })
    .chain(({ input, flaw, at }) => {
      const line = at % input.items.length
      const spoil = (change: Partial<CartInput["items"][number]>): CartInput => ({
        ...input,
        items: input.items.map((item, i) => (i === line ? { ...item, ...change } : item)),
      })
      const spoiled =
        flaw === "unknown_sku"
          ? unknownSku.map((sku) => spoil({ sku }))
          : flawedQuantity[flaw].map((quantity) => spoil({ quantity }))
      return spoiled.map((bad) => ({ input: bad, flaw }))
    })
}

/** Mostly valid carts; one in four carries exactly one flaw for the bad-input paths. */
export const cart = (products: ReadonlyArray<Product>, couponCode?: string): fc.Arbitrary<DrawnCart> =>
  fc.oneof(
    { weight: 3, arbitrary: wellFormed(products, couponCode).map((input) => ({ input, flaw: null })) },
    { weight: 1, arbitrary: flawed(products, couponCode) },
  )

/** An active coupon, percent 1-100 or 1-5000 minor units off, 1-5 redemptions, no expiry. */
export const coupon = (at: Date = T0): fc.Arbitrary<Coupon> =>
  fc
    .record({
      code: couponCode,
      discount: fc.oneof(
        fc.integer({ min: 1, max: 100 }).map((percent) => ({ _tag: "percent" as const, percent })),
        fc
          .integer({ min: 1, max: 5000 })
          .map((amount) => ({ _tag: "amount" as const, amount: money(amount, CURRENCY) })),
      ),
      maxRedemptions: fc.integer({ min: 1, max: 5 }),
    })
    .map(({ code, discount, maxRedemptions }) =>
      Coupon.make({
        id: CouponId.make(`cpn_${code}`),
        code,
        discount,
        maxRedemptions,
        available: maxRedemptions,
        reservedCount: 0,
        redeemedCount: 0,
        holds: [],
        expiresAt: null,
        active: true,
        createdAt: at,
        updatedAt: at,
        version: 0,
      }),
    )

/**
 * One delivery of logical event `event`; `crashAt` k crashes its k-th port call (FaultInjection.arm).
 * A crashed last copy leaves its event unfinished, as when Stripe gives up: a property should end
 * with a clean redelivery or a reconciler run.
 */
export interface Delivery {
  readonly event: number
  readonly crashAt: number | null
}

export interface DeliveryPlanOptions {
  /** Deliveries per event, at least 1 (Stripe delivers at least once). Default 3. */
  readonly maxCopies?: number
  /** Highest crash point drawn; 0 disables crashes. Default 12. */
  readonly maxCrashAt?: number
}

/** Every one of `events` logical events delivered 1-maxCopies times, in any order, some crashing. */
export const deliveryPlan = (
  events: number,
  options: DeliveryPlanOptions = {},
): fc.Arbitrary<ReadonlyArray<Delivery>> => {
  const { maxCopies = 3, maxCrashAt = 12 } = options
  const copies = fc.array(fc.integer({ min: 1, max: maxCopies }), { minLength: events, maxLength: events })
  // About one delivery in four crashes: enough to hit every window without starving the happy path.
  const crashAt: fc.Arbitrary<number | null> =
    maxCrashAt > 0
      ? fc.oneof(
          { weight: 3, arbitrary: fc.constant(null) },
          { weight: 1, arbitrary: fc.integer({ min: 1, max: maxCrashAt }) },
        )
      : fc.constant(null)
  return copies
    .map((counts) => counts.flatMap((count, event) => Array.from({ length: count }, () => event)))
    .chain((order) =>
      fc.tuple(
        fc.shuffledSubarray(order, { minLength: order.length, maxLength: order.length }),
        fc.array(crashAt, { minLength: order.length, maxLength: order.length }),
      ),
    )
    .map(([order, crashes]) => order.map((event, i) => ({ event, crashAt: crashes[i] ?? null })))
}
