import {
  type Coupon,
  CouponRepository,
  type CouponReservation,
  CouponReservationRepository,
  handlePaymentEvent,
  Ledger,
  type LedgerEntry,
  type Order,
  type OrderId,
  OrderRepository,
  type PaymentSucceeded,
  type Product,
  ProductCatalog,
  reconcileOrders,
  replayFinalization,
  WebhookEventInbox,
} from "@settle/domain"
import { Effect, Either, type ManagedRuntime, Option } from "effect"
import { expect } from "vitest"
import { ClockControl } from "../../fakes/ControlledClock.js"
import { type TalliedServices, type TalliedWrite, tallyOf } from "./I1Tally.js"
import { cartQuantity, type Shop } from "./scenario.js"

/** Past the reconciler's 10-minute horizon, so a stuck order would be picked up. */
export const PAST_RECONCILE_HORIZON_MS = 11 * 60 * 1000

/** Who replays in these tests: replayFinalization refuses a request without actor and reason. */
export const OPERATOR = { actor: "oncall@settle.test", reason: "runbook scenario 1, step 2" } as const

/** Everything finalization may touch for one order, read back from the store. */
export interface Books {
  readonly order: Order
  readonly products: ReadonlyArray<Product>
  readonly coupon: Coupon | null
  readonly reservation: CouponReservation | null
  readonly ledger: ReadonlyArray<LedgerEntry>
  /** Finalization writes that took effect in this world so far (all orders). */
  readonly writes: Record<TalliedWrite, number>
}

const required = <A>(found: Option.Option<A>, what: string) =>
  Option.match(found, {
    onNone: () => Effect.dieMessage(`${what} is missing from the store`),
    onSome: Effect.succeed,
  })

export const readBooks = (shop: Shop, orderId: OrderId) =>
  Effect.gen(function* () {
    const order = yield* required(yield* (yield* OrderRepository).findById(orderId), `order ${orderId}`)
    const products = yield* (yield* ProductCatalog).list()
    const coupon =
      shop.coupon === null
        ? null
        : yield* required(yield* (yield* CouponRepository).findById(shop.coupon.id), "coupon")
    const reservation =
      shop.coupon === null
        ? null
        : Option.getOrNull(yield* (yield* CouponReservationRepository).find(shop.coupon.id, orderId))
    const ledger = yield* (yield* Ledger).listByOrder(orderId)
    return { order, products, coupon, reservation, ledger, writes: yield* tallyOf } satisfies Books
  })

/**
 * I1's facts for the only order of a shop: confirmed with processedAt, one payment ledger entry of what
 * Stripe captured (the order's total, unless a human accepted another amount from review), each
 * product's stock moved reserved → committed exactly once, the coupon redeemed once.
 */
export const expectFinalizedOnce = (shop: Shop, books: Books, captured = books.order.totals.total): void => {
  const { order } = books
  expect(order.status, "order status").toBe("confirmed")
  expect(books.writes, "finalization writes that took effect").toEqual({
    finalized: 1,
    ledger_appended: 1,
    stock_committed: shop.cart.items.length,
    coupon_redeemed: shop.coupon === null ? 0 : 1,
  })
  expect(order.webhook.processedAt, "webhook.processedAt").not.toBeNull()
  const payments = books.ledger.filter((entry) => entry.kind === "payment")
  expect(payments, "payment ledger entries").toHaveLength(1)
  expect(payments[0]?.amount, "ledger amount").toEqual({ amount: captured, currency: order.totals.currency })
  expect(payments[0]?.externalId, "ledger external id").toBe(order.payment.paymentIntentId)
  for (const before of shop.products) {
    const after = books.products.find((p) => p.id === before.id)
    const taken = cartQuantity(shop, before)
    expect(after?.stock, `stock of ${before.sku} (cart took ${taken})`).toEqual({
      available: before.stock.available - taken,
      reserved: before.stock.reserved,
      committed: before.stock.committed + taken,
    })
    expect(after?.holds, `holds left on ${before.sku}`).toEqual([])
  }
  if (shop.coupon !== null) {
    const { available, reservedCount, redeemedCount, holds } = books.coupon ?? shop.coupon
    expect({ available, reservedCount, redeemedCount, holds }, `coupon ${shop.coupon.code}`).toEqual({
      available: shop.coupon.maxRedemptions - 1,
      reservedCount: 0,
      redeemedCount: 1,
      holds: [],
    })
    expect(books.reservation?.status, "coupon reservation").toBe("redeemed")
  }
}

/** The inbox record of one delivery must be processed. */
export const expectProcessed = <E>(
  runtime: ManagedRuntime.ManagedRuntime<TalliedServices, E>,
  eventId: string,
) =>
  runtime.runPromise(Effect.flatMap(WebhookEventInbox, (inbox) => inbox.find(eventId))).then((record) => {
    expect(Option.getOrNull(record)?.status, `inbox record ${eventId}`).toBe("processed")
    return Option.getOrNull(record)
  })

/**
 * Once finalized, nothing moves it again: later, Stripe redelivers, an operator replays by session (refused:
 * processedAt is set) and the reconciler runs; the order (processedAt, version included), stock, coupon and
 * ledger stay exactly as they were, and the event's inbox record keeps its first processedAt.
 */
export const expectSettledForGood = async <E>(
  runtime: ManagedRuntime.ManagedRuntime<TalliedServices, E>,
  shop: Shop,
  orderId: OrderId,
  event: PaymentSucceeded,
): Promise<void> => {
  const before = await runtime.runPromise(readBooks(shop, orderId))
  const retried = await runtime.runPromise(
    Effect.gen(function* () {
      yield* (yield* ClockControl).advance(PAST_RECONCILE_HORIZON_MS)
      const redelivered = yield* Effect.either(handlePaymentEvent(event))
      const replayed = yield* Effect.either(replayFinalization({ sessionId: event.sessionId, ...OPERATOR }))
      const reconciled = yield* reconcileOrders()
      return { redelivered, replayed, reconciled }
    }),
  )
  expect(Either.isRight(retried.redelivered), "a late redelivery is acknowledged").toBe(true)
  const replay = Either.isLeft(retried.replayed) ? retried.replayed.left._tag : "accepted"
  expect(replay, "a replay by sessionId once finalized").toBe("AlreadyFinalized")
  expect(retried.reconciled.finalized, "reconciler finalizations").toBe(0)
  const firstRecord = await expectProcessed(runtime, event.eventId)
  expect(await runtime.runPromise(readBooks(shop, orderId)), "books after late retries").toEqual(before)
  await runtime.runPromise(
    Effect.gen(function* () {
      yield* (yield* ClockControl).advance(PAST_RECONCILE_HORIZON_MS)
      yield* handlePaymentEvent(event)
    }),
  )
  const again = await expectProcessed(runtime, event.eventId)
  expect(again?.processedAt, "inbox processedAt never moves").toEqual(firstRecord?.processedAt)
}
