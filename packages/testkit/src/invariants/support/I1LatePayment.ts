import { SandboxControl } from "@settle/adapters"
import {
  CheckoutRequest,
  Clock,
  CouponCode,
  CouponId,
  expireReservations,
  handlePaymentEvent,
  money,
  type OrderId,
  ProductId,
  Sku,
} from "@settle/domain"
import { Effect, type Layer, type ManagedRuntime, Schema } from "effect"
import { expect } from "vitest"
import { ClockControl } from "../../fakes/ControlledClock.js"
import { MetricsProbe } from "../../fakes/MemoryMetrics.js"
import { aCoupon, aProduct } from "../../fixtures.js"
import type { StoragePorts } from "../../world.js"
import { expectFinalizedOnce, expectSettledForGood, readBooks } from "./I1Books.js"
import { type TalliedServices, talliedWorld } from "./I1Tally.js"
import { openCheckout, type Shop, usingRuntime } from "./scenario.js"

// Fixed ids, not the fixtures' counters: a regression example must read the same on every run.
const mug = aProduct({
  id: ProductId.make("prod_mug"),
  sku: Sku.make("MUG"),
  price: money(1500, "EUR"),
  stock: { available: 5, reserved: 0, committed: 0 },
})
const tee = aProduct({
  id: ProductId.make("prod_tee"),
  sku: Sku.make("TEE"),
  price: money(2500, "EUR"),
  stock: { available: 3, reserved: 0, committed: 0 },
})
const lastCoupon = aCoupon({
  id: CouponId.make("cpn_LAST"),
  code: CouponCode.make("LAST"),
  discount: { _tag: "percent", percent: 10 },
  maxRedemptions: 1,
  available: 1,
})

const cart = (lines: ReadonlyArray<readonly [Sku, number]>, couponCode?: CouponCode) =>
  Schema.decodeUnknownSync(CheckoutRequest)({
    items: lines.map(([sku, quantity]) => ({ sku, quantity })),
    currency: "EUR",
    email: "late@example.com",
    ...(couponCode === undefined ? {} : { couponCode }),
  })

/** The late shopper: two mugs and every tee, with the last redemption of the coupon. */
const lateShop: Shop = {
  products: [mug, tee],
  coupon: lastCoupon,
  cart: cart(
    [
      [mug.sku, 2],
      [tee.sku, 3],
    ],
    lastCoupon.code,
  ),
}

type Runtime<E> = ManagedRuntime.ManagedRuntime<TalliedServices, E>

/** Check the late shop out, let the reservation lapse and the expiry job give everything back. */
const expiredCheckout = <E>(runtime: Runtime<E>) =>
  runtime.runPromise(
    Effect.gen(function* () {
      const { order, sessionId } = yield* openCheckout(lateShop)
      const now = yield* (yield* Clock).now
      yield* (yield* ClockControl).advance(order.expiresAt.getTime() - now.getTime() + 60_000)
      const report = yield* expireReservations()
      return { order, sessionId, report }
    }),
  )

/** Another shopper checks out and pays in full while the late order sits expired. */
const someoneElseBuys = <E>(runtime: Runtime<E>, request: CheckoutRequest) =>
  runtime.runPromise(
    Effect.gen(function* () {
      const { order, sessionId } = yield* openCheckout({ products: [], coupon: null, cart: request })
      yield* handlePaymentEvent(yield* (yield* SandboxControl).pay(sessionId))
      return order.id
    }),
  )

const payLate = <E>(runtime: Runtime<E>, sessionId: Parameters<SandboxControl["pay"]>[0]) =>
  runtime.runPromise(
    Effect.gen(function* () {
      const event = yield* (yield* SandboxControl).pay(sessionId)
      const first = yield* handlePaymentEvent(event)
      const again = yield* handlePaymentEvent(event)
      return { event, first, again }
    }),
  )

/** A payment after local expiry whose capacity is still there: honored, committed once. */
export const latePaymentHonored = <E>(storage: Layer.Layer<StoragePorts, E>) =>
  usingRuntime(talliedWorld(storage), async (runtime) => {
    const { order, sessionId, report } = await expiredCheckout(runtime)
    expect(report.ordersExpired, "orders the expiry job expired").toBe(1)
    const expired = await runtime.runPromise(readBooks(lateShop, order.id))
    expect(expired.order.status).toBe("expired")
    expect(expired.products.map((p) => p.stock)).toEqual([mug.stock, tee.stock])
    expect(expired.reservation?.status).toBe("expired")
    const { event, first, again } = await payLate(runtime, sessionId)
    expect([first._tag, again._tag]).toEqual(["Processed", "Duplicate"])
    expectFinalizedOnce(lateShop, await runtime.runPromise(readBooks(lateShop, order.id)))
    await expectSettledForGood(runtime, lateShop, order.id, event)
  })

const expectInReviewWithNothingHeld = async <E>(runtime: Runtime<E>, orderId: OrderId, reason: string) => {
  const books = await runtime.runPromise(readBooks(lateShop, orderId))
  expect(books.order.status, "late order status").toBe("payment_review")
  expect(books.order.reviewReason).toBe(reason)
  expect(books.order.webhook.processedAt).toBeNull()
  for (const product of books.products) {
    expect(
      product.holds.filter((h) => h.orderId === orderId),
      `holds of ${product.sku}`,
    ).toEqual([])
  }
  expect(
    books.coupon?.holds.filter((h) => h.orderId === orderId),
    "coupon holds",
  ).toEqual([])
  const probe = await runtime.runPromise(MetricsProbe)
  expect(await runtime.runPromise(probe.value("payment_review_total", { reason }))).toBe(1)
  return books
}

/** The stock went to someone else meanwhile: the late payment waits for review, stock conserved. */
export const latePaymentStockGone = <E>(storage: Layer.Layer<StoragePorts, E>) =>
  usingRuntime(talliedWorld(storage), async (runtime) => {
    const { order, sessionId } = await expiredCheckout(runtime)
    await someoneElseBuys(runtime, cart([[tee.sku, 3]]))
    const { first, again } = await payLate(runtime, sessionId)
    expect([first._tag, again._tag]).toEqual(["Processed", "Duplicate"])
    const books = await expectInReviewWithNothingHeld(runtime, order.id, "late_payment_capacity_gone")
    // The mug the revival held for a moment went back: only the other shopper's tees are committed.
    expect(books.products.map((p) => p.stock)).toEqual([
      { available: 5, reserved: 0, committed: 0 },
      { available: 0, reserved: 0, committed: 3 },
    ])
    expect(books.coupon).toMatchObject({ available: 1, reservedCount: 0, redeemedCount: 0 })
  })

/** The coupon's last redemption went to someone else meanwhile: review, stock and coupon conserved. */
export const latePaymentCouponGone = <E>(storage: Layer.Layer<StoragePorts, E>) =>
  usingRuntime(talliedWorld(storage), async (runtime) => {
    const { order, sessionId } = await expiredCheckout(runtime)
    await someoneElseBuys(runtime, cart([[mug.sku, 1]], lastCoupon.code))
    const { first, again } = await payLate(runtime, sessionId)
    expect([first._tag, again._tag]).toEqual(["Processed", "Duplicate"])
    const books = await expectInReviewWithNothingHeld(runtime, order.id, "late_payment_capacity_gone")
    expect(books.products.map((p) => p.stock)).toEqual([
      { available: 4, reserved: 0, committed: 1 },
      { available: 3, reserved: 0, committed: 0 },
    ])
    expect(books.coupon).toMatchObject({ available: 0, reservedCount: 0, redeemedCount: 1 })
    expect(books.reservation?.status, "the late order's reservation").toBe("expired")
  })
