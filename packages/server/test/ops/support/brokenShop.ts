import {
  type Coupon,
  CouponCode,
  CouponRepository,
  createCheckout,
  handlePaymentEvent,
  issueInvoices,
  money,
  type Order,
  OrderRepository,
  type PaymentSucceeded,
  ProductCatalog,
  Sku,
  type StoragePorts,
  StoreError,
} from "@settle/domain"
import { ClockControl, fixtures, InvoiceControl, SandboxControl, world } from "@settle/testkit"
import { Effect, type Layer, Logger, LogLevel } from "effect"

const MINUTE = 60_000

/** Finalization crashing at its last order write: the runbook's "paid but not confirmed" crash window. */
const crashingBeforeConfirmation = <A, E, R>(program: Effect.Effect<A, E, R>) =>
  Effect.flatMap(OrderRepository, (orders) =>
    Effect.provideService(program, OrderRepository, {
      ...orders,
      markFinalized: () =>
        Effect.fail(new StoreError({ message: "seeded crash between paid and confirmed" })),
    }),
  )

const checkout = (extra: Record<string, unknown> = {}) =>
  Effect.map(
    createCheckout({
      items: [{ sku: "MUG-1", quantity: 1 }],
      currency: "EUR",
      email: "shopper@example.com",
      ...extra,
    }),
    (result) => result.order,
  )

/** The customer pays at the sandbox; the event Stripe would send comes back undelivered. */
const paid = (order: Order) =>
  Effect.flatMap(SandboxControl, (sandbox) =>
    order.payment.sessionId === null
      ? Effect.dieMessage(`order ${order.id} has no session`)
      : sandbox.pay(order.payment.sessionId),
  )

const stuckOrder = Effect.gen(function* () {
  const order = yield* checkout()
  const event = yield* paid(order)
  yield* Effect.flip(crashingBeforeConfirmation(handlePaymentEvent(event)))
  return { order, event }
})

/** Paid the wrong amount (a tampered session): finalization holds the order for review, never retried. */
const reviewedOrder = Effect.gen(function* () {
  const order = yield* checkout()
  const event = yield* Effect.flatMap(SandboxControl, (sandbox) =>
    order.payment.sessionId === null
      ? Effect.dieMessage(`order ${order.id} has no session`)
      : sandbox.pay(order.payment.sessionId, { amount: 100 }),
  )
  yield* handlePaymentEvent(event)
  return { order, event }
})

const confirmedOrder = Effect.gen(function* () {
  const order = yield* checkout()
  yield* handlePaymentEvent(yield* paid(order))
  return order
})

export interface BrokenShop {
  /** Paid two hours ago, finalization crashed before confirmation; its event stayed `error`. */
  readonly stuck: { readonly order: Order; readonly event: PaymentSucceeded }
  /** The same crash a minute ago: inside the runbook's 10-minute horizon. */
  readonly recentStuck: { readonly order: Order; readonly event: PaymentSucceeded }
  /** Confirmed; the invoice provider was down when the invoice job ran. */
  readonly failedInvoice: Order
  /** Confirmed after that run: healthy, its invoice due. */
  readonly confirmed: Order
  /** Checked out with the SAVE10 coupon and abandoned: pending past expiry, reservation leaked. */
  readonly leaked: Order
  /** Paid 1.00 EUR for 15.00: held in payment_review, its event `error` with amount_mismatch. */
  readonly reviewed: { readonly order: Order; readonly event: PaymentSucceeded }
  /** A coupon whose counters drifted from its (empty) holds: reservedCount 3, available 7 of 10. */
  readonly drifted: Coupon
}

/**
 * The runbook's broken states, made the way production makes them: checkouts, sandbox payments, a crash
 * in finalization, a provider outage, an abandoned coupon checkout, all through the domain's use-cases
 * on the Mongo storage ports, with the clock two hours back so the runbook's horizons are passed.
 */
export const seedBrokenShop = (
  storage: Layer.Layer<StoragePorts, unknown>,
  now = new Date(),
): Promise<BrokenShop> =>
  Effect.gen(function* () {
    yield* (yield* ProductCatalog).insert(
      fixtures.aProduct({
        sku: Sku.make("MUG-1"),
        price: money(1500, "EUR"),
        stock: { available: 20, reserved: 0, committed: 0 },
      }),
    )
    const coupons = yield* CouponRepository
    yield* coupons.insert(fixtures.aCoupon({ code: CouponCode.make("SAVE10") }))
    const drifted = fixtures.aCoupon({ code: CouponCode.make("DRIFT"), available: 7, reservedCount: 3 })
    yield* coupons.insert(drifted)

    const stuck = yield* stuckOrder
    const failedInvoice = yield* confirmedOrder
    const invoices = yield* InvoiceControl
    yield* invoices.setFailing(true)
    yield* issueInvoices()
    yield* invoices.setFailing(false)
    const confirmed = yield* confirmedOrder
    const leaked = yield* checkout({ couponCode: "SAVE10" })
    const reviewed = yield* reviewedOrder

    yield* (yield* ClockControl).set(new Date(now.getTime() - MINUTE))
    const recentStuck = yield* stuckOrder
    return { stuck, recentStuck, failedInvoice, confirmed, leaked, reviewed, drifted }
  }).pipe(
    Effect.provide(world(storage, new Date(now.getTime() - 120 * MINUTE))),
    // The use-cases' logs are for operators; a seed has none.
    Effect.provide(Logger.minimumLogLevel(LogLevel.None)),
    Effect.runPromise,
  )
