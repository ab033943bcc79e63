import { SandboxControl } from "@settle/adapters"
import {
  CouponCode,
  CouponRepository,
  CouponReservationRepository,
  createCheckout,
  DEFAULT_RESERVATION_TTL_MS,
  money,
  OrderId,
  OrderRepository,
  PaymentGateway,
  PaymentRefused,
  ProductCatalog,
  ProductId,
  Sku,
} from "@settle/domain"
import { Effect, Option } from "effect"
import { describe, expect, it } from "vitest"
import { arm, disarm } from "../../src/faults/FaultInjection.js"
import { aCoupon, aProduct, minute } from "../../src/fixtures.js"
import {
  couponOf,
  crashPointOf,
  insertProducts,
  MUG,
  metric,
  metrics,
  mug,
  orderOf,
  PLATE,
  plate,
  productOf,
  run,
  runFaulty,
  T0,
  typedFailure,
} from "./support.js"

const CUP = ProductId.make("prd_cup")
const ORDER = OrderId.make("ord_000001")
const HOLD = `${ORDER}/0`
const EXPIRES = minute(DEFAULT_RESERVATION_TTL_MS / 60_000)

const coupon = (code: string, overrides: Parameters<typeof aCoupon>[0] = {}) =>
  aCoupon({ code: CouponCode.make(code), ...overrides })

/** Mugs and plates at 10.00, a 3.33 cup, an inactive and a too-dear product; one coupon per case. */
const shop = Effect.gen(function* () {
  yield* insertProducts(
    mug(),
    plate(),
    aProduct({ id: CUP, sku: Sku.make("CUP-1"), price: money(333, "EUR") }),
    aProduct({ sku: Sku.make("OLD-1"), active: false }),
    aProduct({ sku: Sku.make("GOLD-1"), price: money(99_999_999, "EUR") }),
  )
  const coupons = yield* CouponRepository
  for (const c of [
    coupon("SAVE15", { discount: { _tag: "percent", percent: 15 } }),
    coupon("FIVER", { discount: { _tag: "amount", amount: money(500, "EUR") } }),
    coupon("OFF", { active: false }),
    coupon("OLD", { expiresAt: T0 }),
    coupon("GONE", { maxRedemptions: 1, available: 0, redeemedCount: 1 }),
    coupon("FREE", { discount: { _tag: "percent", percent: 100 } }),
    coupon("HUGE", { discount: { _tag: "amount", amount: money(5000, "EUR") } }),
    coupon("DOLLAR", { discount: { _tag: "amount", amount: money(500, "USD") } }),
  ]) {
    yield* coupons.insert(c)
  }
})

/** Stock, coupon counters and holds, orders, reservations: everything a refused checkout must leave alone. */
const data = Effect.gen(function* () {
  const coupons = yield* (yield* CouponRepository).list()
  const reservations = yield* CouponReservationRepository
  return {
    products: yield* (yield* ProductCatalog).list(),
    coupons,
    orders: yield* (yield* OrderRepository).list({ limit: 100 }),
    reservations: yield* Effect.forEach(coupons, (c) =>
      Effect.forEach(["reserved", "released", "expired", "redeemed"] as const, (status) =>
        reservations.listByCoupon(c.id, status),
      ),
    ),
  }
})

const cart = (extra: Record<string, unknown> = {}) => ({
  items: [
    { sku: "MUG-1", quantity: 2 },
    { sku: "CUP-1", quantity: 1 },
  ],
  currency: "EUR",
  email: "shopper@example.com",
  ...extra,
})
const line = (sku: unknown, quantity: unknown) => ({ items: [{ sku, quantity }] })

/** A failed SAVE15 checkout: its order cancelled without a session, every unit and the coupon given back. */
const expectCancelledAndReleased = (before: Effect.Effect.Success<typeof data>) =>
  Effect.gen(function* () {
    expect(yield* orderOf(ORDER)).toMatchObject({ status: "cancelled", payment: { sessionId: null } })
    const after = yield* data
    for (const [i, product] of after.products.entries()) {
      expect(product.stock).toEqual(before.products[i]?.stock)
      expect(product.holds).toEqual([])
    }
    const used = yield* couponOf("SAVE15")
    expect(used).toMatchObject({ available: 10, reservedCount: 0, redeemedCount: 0, holds: [] })
    const reservation = yield* (yield* CouponReservationRepository).find(used.id, ORDER)
    expect(Option.getOrThrow(reservation).status).toBe("released")
  })

describe("createCheckout", () => {
  it("opens a session for a pending order and holds its stock", () =>
    run(
      Effect.gen(function* () {
        yield* shop
        const { order, paymentUrl } = yield* createCheckout(
          cart({
            items: [
              { sku: "MUG-1", quantity: 2 },
              { sku: "PLATE-1", quantity: 1 },
            ],
          }),
        )
        expect(order.totals).toEqual({ subtotal: 3000, discount: 0, total: 3000, currency: "EUR" })
        expect(order).toMatchObject({
          id: ORDER,
          status: "pending",
          couponCode: null,
          customerEmail: "shopper@example.com",
          expiresAt: EXPIRES,
          payment: { sessionId: "cs_sandbox_000001", url: paymentUrl },
        })
        expect(paymentUrl).toBe("https://checkout.sandbox.invalid/pay/cs_sandbox_000001")
        expect(yield* orderOf(ORDER)).toEqual(order)
        expect(yield* productOf(MUG)).toMatchObject({
          stock: { available: 0, reserved: 2, committed: 0 },
          holds: [{ key: HOLD, orderId: ORDER, quantity: 2, at: T0 }],
        })
        expect((yield* productOf(PLATE)).stock).toEqual({ available: 5, reserved: 1, committed: 0 })
        const [session] = yield* (yield* SandboxControl).sessions
        expect(session).toMatchObject({ amount: { amount: 3000, currency: "EUR" }, expiresAt: EXPIRES })
        expect(session?.idempotencyKey).toBe(`checkout:${ORDER}`)
        expect(yield* metric("checkout_attempts_total")).toBe(1)
        expect(Object.keys(yield* metrics).filter((key) => key.startsWith("checkout_failures"))).toEqual([])
      }),
    ))

  it.each([
    ["a percent coupon, rounded down", "SAVE15", 349],
    ["an amount coupon", "FIVER", 500],
  ])("prices %s and reserves the coupon until the order expires", (_name, code, discount) =>
    run(
      Effect.gen(function* () {
        yield* shop
        const { order } = yield* createCheckout(cart({ couponCode: code }))
        const used = yield* couponOf(code)
        expect(order.totals).toEqual({ subtotal: 2333, discount, total: 2333 - discount, currency: "EUR" })
        expect(order).toMatchObject({ status: "pending", couponCode: code, couponId: used.id })
        expect(used).toMatchObject({
          available: 9,
          reservedCount: 1,
          redeemedCount: 0,
          holds: [{ key: HOLD, orderId: ORDER, quantity: 1 }],
        })
        const reservation = yield* (yield* CouponReservationRepository).find(used.id, ORDER)
        expect(Option.getOrThrow(reservation)).toMatchObject({
          status: "reserved",
          expiresAt: order.expiresAt,
        })
        expect((yield* productOf(CUP)).stock).toEqual({ available: 9, reserved: 1, committed: 0 })
      }),
    ),
  )

  it.each<[string, unknown, Record<string, unknown>]>([
    ["an empty cart", cart({ items: [] }), { _tag: "InvalidInput", field: "items" }],
    ["a negative quantity", cart(line("MUG-1", -1)), { _tag: "InvalidInput", field: "items.0.quantity" }],
    ["a zero quantity", cart(line("MUG-1", 0)), { _tag: "InvalidInput", field: "items.0.quantity" }],
    ["1001 units", cart(line("MUG-1", 1001)), { _tag: "InvalidInput", field: "items.0.quantity" }],
    ["a fractional quantity", cart(line("MUG-1", 1.5)), { _tag: "InvalidInput", field: "items.0.quantity" }],
    ["an unknown sku", cart(line("NOPE-1", 1)), { _tag: "UnknownSku", sku: "NOPE-1" }],
    ["an inactive product", cart(line("OLD-1", 1)), { _tag: "UnknownSku", sku: "OLD-1" }],
    [
      "the same sku twice",
      cart({
        items: [
          { sku: "MUG-1", quantity: 1 },
          { sku: "MUG-1", quantity: 1 },
        ],
      }),
      { _tag: "InputRefused", field: "items.1.sku" },
    ],
    ["an unknown coupon", cart({ couponCode: "NOPE" }), { _tag: "UnknownCoupon", code: "NOPE" }],
    ["an inactive coupon", cart({ couponCode: "OFF" }), { _tag: "CouponUnavailable", reason: "inactive" }],
    ["an expired coupon", cart({ couponCode: "OLD" }), { _tag: "CouponUnavailable", reason: "expired" }],
    [
      "a USD cart over EUR products",
      cart({ currency: "USD" }),
      { _tag: "CurrencyMismatch", field: "items.0", expected: "USD", actual: "EUR" },
    ],
    [
      "a coupon in another currency",
      cart({ couponCode: "DOLLAR" }),
      { _tag: "CurrencyMismatch", field: "couponCode", expected: "EUR", actual: "USD" },
    ],
    ["a lower-case currency", cart({ currency: "eur" }), { _tag: "InvalidInput", field: "currency" }],
    ["a bad email", cart({ email: "shopper@example" }), { _tag: "InvalidInput", field: "email" }],
    ["an extra property", cart({ admin: true }), { _tag: "InvalidInput", field: "admin" }],
    ["an operator as sku", cart(line({ $gt: "" }, 1)), { _tag: "InvalidInput", field: "items.0.sku" }],
    ["a string", "MUG-1 x2", { _tag: "InvalidInput", field: "(root)" }],
    ["null", null, { _tag: "InvalidInput", field: "(root)" }],
    ["an array", [cart()], { _tag: "InvalidInput", field: "(root)" }],
    [
      "a total above 99,999,999",
      cart(line("GOLD-1", 2)),
      { _tag: "AmountTooLarge", amount: 199_999_998, currency: "EUR" },
    ],
    ["a coupon making it free", cart({ couponCode: "FREE" }), { _tag: "InputRefused", field: "couponCode" }],
    [
      "an amount coupon over the total",
      cart({ couponCode: "HUGE" }),
      { _tag: "InputRefused", field: "couponCode" },
    ],
  ])("refuses %s with a typed failure and changes no data", (_name, input, expected) =>
    run(
      Effect.gen(function* () {
        yield* shop
        const before = yield* data
        const error = typedFailure(yield* Effect.exit(createCheckout(input)))
        expect(error).toMatchObject(expected)
        expect(yield* data).toEqual(before)
        expect(yield* metric("checkout_attempts_total")).toBe(1)
        expect(yield* metric("checkout_failures_total", { reason: error._tag })).toBe(1)
      }),
    ),
  )

  it("cancels the order and releases every hold when stock runs short", () =>
    run(
      Effect.gen(function* () {
        yield* shop
        const before = yield* data
        const exit = yield* Effect.exit(
          createCheckout(
            cart({
              items: [
                { sku: "MUG-1", quantity: 2 },
                { sku: "PLATE-1", quantity: 7 },
              ],
              couponCode: "SAVE15",
            }),
          ),
        )
        expect(typedFailure(exit)).toMatchObject({ _tag: "InsufficientStock", sku: "PLATE-1", requested: 7 })
        expect((yield* orderOf(ORDER)).status).toBe("cancelled")
        const after = yield* data
        expect(after.products).toEqual(
          before.products.map((p) => ({ ...p, updatedAt: expect.any(Date), version: expect.any(Number) })),
        )
        expect(after.products.flatMap((p) => p.holds)).toEqual([])
        expect(after.coupons).toEqual(before.coupons)
        expect(yield* metric("checkout_failures_total", { reason: "InsufficientStock" })).toBe(1)
      }),
    ))

  // The terms the checkout reads carry no counters: the coupon's hold finds it exhausted, after the order
  // is written and its stock held, and everything taken goes back.
  it("refuses an exhausted coupon at its hold, cancels the order and gives back its stock", () =>
    run(
      Effect.gen(function* () {
        yield* shop
        const before = yield* data
        const exit = yield* Effect.exit(createCheckout(cart({ couponCode: "GONE" })))
        expect(typedFailure(exit)).toMatchObject({
          _tag: "CouponUnavailable",
          code: "GONE",
          reason: "exhausted",
        })
        expect(yield* orderOf(ORDER)).toMatchObject({ status: "cancelled", payment: { sessionId: null } })
        const after = yield* data
        expect(after.products.map((p) => [p.stock, p.holds])).toEqual(
          before.products.map((p) => [p.stock, []]),
        )
        const gone = yield* couponOf("GONE")
        expect(gone).toMatchObject({ available: 0, reservedCount: 0, redeemedCount: 1, holds: [] })
        const reservation = yield* (yield* CouponReservationRepository).find(gone.id, ORDER)
        expect(Option.getOrThrow(reservation).status).toBe("released")
        expect(yield* metric("checkout_failures_total", { reason: "CouponUnavailable" })).toBe(1)
      }),
    ))

  it("cancels the order and releases stock and coupon when the gateway is down", () =>
    run(
      Effect.gen(function* () {
        yield* shop
        const before = yield* data
        yield* (yield* SandboxControl).setFailing(true)
        const exit = yield* Effect.exit(createCheckout(cart({ couponCode: "SAVE15" })))
        expect(typedFailure(exit)._tag).toBe("PaymentGatewayError")
        yield* expectCancelledAndReleased(before)
        expect(yield* metric("checkout_failures_total", { reason: "PaymentGatewayError" })).toBe(1)
      }),
    ))

  it("cancels the order and releases stock and coupon when the gateway refuses the session", () =>
    run(
      Effect.gen(function* () {
        yield* shop
        const before = yield* data
        const gateway = yield* PaymentGateway
        const refusing = PaymentGateway.of({
          ...gateway,
          openSession: () =>
            Effect.fail(
              new PaymentRefused({
                operation: "checkout.sessions.create",
                code: "parameter_invalid_integer",
                status: 400,
                message: "Stripe checkout.sessions.create failed (invalid_request_error 400)",
              }),
            ),
        })
        const exit = yield* Effect.exit(
          Effect.provideService(createCheckout(cart({ couponCode: "SAVE15" })), PaymentGateway, refusing),
        )
        expect(typedFailure(exit)).toMatchObject({
          _tag: "PaymentRefused",
          code: "parameter_invalid_integer",
        })
        yield* expectCancelledAndReleased(before)
        expect(yield* metric("checkout_failures_total", { reason: "PaymentRefused" })).toBe(1)
      }),
    ))

  it("cancels the order and releases stock and coupon when recording the opened session fails", async () => {
    const recordSession = await crashPointOf(
      shop,
      () => createCheckout(cart({ couponCode: "SAVE15" })),
      "OrderRepository.transition",
    )
    await runFaulty(
      Effect.gen(function* () {
        yield* shop
        const before = yield* data
        yield* arm(recordSession)
        const exit = yield* Effect.exit(createCheckout(cart({ couponCode: "SAVE15" })))
        yield* disarm
        expect(typedFailure(exit)._tag).toBe("StoreError")
        yield* expectCancelledAndReleased(before)
      }),
    )
  })

  it("counts every attempt, and each failure under its _tag", () =>
    run(
      Effect.gen(function* () {
        yield* shop
        yield* createCheckout(cart())
        for (const input of [cart({ items: [] }), cart({ currency: "eur" }), cart({ couponCode: "NOPE" })]) {
          yield* Effect.exit(createCheckout(input))
        }
        yield* Effect.exit(createCheckout(cart(line("GOLD-1", 2))))
        expect(yield* metric("checkout_attempts_total")).toBe(5)
        expect(yield* metric("checkout_failures_total", { reason: "InvalidInput" })).toBe(2)
        expect(yield* metric("checkout_failures_total", { reason: "UnknownCoupon" })).toBe(1)
        expect(yield* metric("checkout_failures_total", { reason: "AmountTooLarge" })).toBe(1)
      }),
    ))
})
