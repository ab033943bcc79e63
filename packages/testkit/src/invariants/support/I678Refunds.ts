import { SandboxControl } from "@settle/adapters"
import {
  createCheckout,
  handlePaymentEvent,
  Ledger,
  money,
  type Order,
  type OrderId,
  type PaymentEvent,
  type Product,
  refundOrder,
  refundReviewedPayment,
} from "@settle/domain"
import { Effect } from "effect"
import * as fc from "fast-check"

export const ACTOR = "ops@example.com"

/** One admin refund request; `percent` of the captured amount (above 100 asks too much), null for "all left". */
export interface RefundDraw {
  readonly order: number
  readonly percent: number | null
  readonly requestId: string | null
  readonly restock: boolean
}

export type RefundStep =
  /** With crashAt, the request carries a requestId and is retried at once with it, as an admin would. */
  | {
      readonly _tag: "Refund"
      readonly request: RefundDraw
      readonly crashAt: number | null
      /** Stripe's charge.refunded for our own refund arrives (before the retry, when one crashed). */
      readonly echo: boolean
    }
  | {
      readonly _tag: "Race"
      readonly requests: readonly [RefundDraw, RefundDraw]
      readonly crashAt: number | null
    }
  | { readonly _tag: "Outage"; readonly failing: boolean }
  /** A refund in the Stripe dashboard, then charge.refunded delivered `copies` times. */
  | {
      readonly _tag: "Outside"
      readonly order: number
      readonly percent: number
      readonly copies: number
      readonly crashAt: number | null
    }
  /**
   * A payment held for review refunded by a human: `copies` requests at once (a double click), the
   * first one crashed at `crashAt` and repeated; Stripe's charge.refunded for it may arrive meanwhile.
   */
  | {
      readonly _tag: "ReviewRefund"
      readonly review: number
      readonly copies: number
      readonly crashAt: number | null
      readonly echo: boolean
    }

export interface RefundScenario {
  /** Captured amount of each confirmed order: unit price × quantity. */
  readonly orders: ReadonlyArray<{ readonly price: number; readonly quantity: number }>
  /** Orders held for review: Stripe captured `captured` minor units for a 1-unit order at `price`. */
  readonly reviews: ReadonlyArray<{ readonly price: number; readonly captured: number }>
  readonly steps: ReadonlyArray<RefundStep>
}

// A small pool, so repeated and concurrent copies of one request are common.
const requestId = fc.constantFrom("req-a", "req-b", "req-c")
// One refund or one charge.refunded delivery makes 5-8 port calls: a later crash point crashes nothing.
const crashPoint = fc.integer({ min: 1, max: 8 })

const refundDraw = (orders: number, withId: boolean): fc.Arbitrary<RefundDraw> =>
  fc.record({
    order: fc.integer({ min: 0, max: orders - 1 }),
    percent: fc.option(fc.integer({ min: 1, max: 120 }), { freq: 4 }),
    requestId: withId ? requestId : fc.option(requestId, { freq: 3 }),
    restock: fc.boolean(),
  })

// A crashed request is retried with its requestId; without one, a retry would be a new refund.
const refund = (orders: number, crashes: boolean) =>
  fc.record({
    _tag: fc.constant("Refund" as const),
    request: refundDraw(orders, crashes),
    crashAt: crashes ? crashPoint : fc.constant(null),
    echo: fc.boolean(),
  })

const large = fc.option(fc.integer({ min: 40, max: 100 }), { freq: 2 })

/**
 * Two requests for one order: either two partial ones that together take exactly the capture (each
 * plans partially_refunded from its read, so the last to land must repair the status), or two large
 * ones that cannot both fit, kept apart only by the captured bound of the conditional write.
 */
const race = (orders: number, crashes: boolean) =>
  fc.record({
    _tag: fc.constant("Race" as const),
    requests: fc
      .tuple(
        refundDraw(orders, crashes),
        refundDraw(orders, crashes),
        fc.integer({ min: 1, max: 99 }),
        large,
        large,
        fc.boolean(),
      )
      .map(([a, b, split, pa, pb, whole]): readonly [RefundDraw, RefundDraw] =>
        whole
          ? [
              { ...a, percent: split },
              { ...b, order: a.order, percent: 100 - split },
            ]
          : [
              { ...a, percent: pa },
              { ...b, order: a.order, percent: pb },
            ],
      ),
    // Two requests make ~8 port calls before the first reaches Stripe: the windows worth crashing in.
    crashAt: crashes ? fc.integer({ min: 1, max: 10 }) : fc.constant(null),
  })

const reviewRefundStep = (reviews: number) =>
  fc.record({
    _tag: fc.constant("ReviewRefund" as const),
    review: fc.integer({ min: 0, max: Math.max(0, reviews - 1) }),
    copies: fc.integer({ min: 1, max: 2 }),
    // A review refund makes ~20 port calls (epoch claim, releases, reservation, Stripe, books, audit).
    crashAt: fc.option(fc.integer({ min: 1, max: 24 }), { freq: 2 }),
    echo: fc.boolean(),
  })

const step = (orders: number, reviews: number): fc.Arbitrary<RefundStep> =>
  fc.oneof(
    // Without an order held for review the step does nothing.
    { weight: 2, arbitrary: reviewRefundStep(reviews) },
    { weight: 4, arbitrary: refund(orders, false) },
    { weight: 2, arbitrary: refund(orders, true) },
    { weight: 2, arbitrary: race(orders, false) },
    { weight: 1, arbitrary: race(orders, true) },
    { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Outage" as const), failing: fc.boolean() }) },
    {
      weight: 2,
      arbitrary: fc.record({
        _tag: fc.constant("Outside" as const),
        order: fc.integer({ min: 0, max: orders - 1 }),
        percent: fc.integer({ min: 1, max: 100 }),
        copies: fc.integer({ min: 1, max: 2 }),
        crashAt: fc.option(crashPoint, { freq: 3 }),
      }),
    },
  )

const review = fc.integer({ min: 2, max: 5_000 }).chain((price) =>
  fc.record({
    price: fc.constant(price),
    captured: fc.integer({ min: 1, max: 2 * price }).filter((captured) => captured !== price),
  }),
)

export const refundScenario: fc.Arbitrary<RefundScenario> = fc
  .tuple(
    fc.array(
      fc.record({ price: fc.integer({ min: 1, max: 5_000 }), quantity: fc.integer({ min: 1, max: 3 }) }),
      {
        minLength: 1,
        maxLength: 2,
      },
    ),
    fc.array(review, { maxLength: 2 }),
  )
  .chain(([orders, reviews]) =>
    fc.record({
      orders: fc.constant(orders),
      reviews: fc.constant(reviews),
      steps: fc.array(step(orders.length, reviews.length), { minLength: 1, maxLength: 10 }),
    }),
  )

export const capturedOf = (order: Order): number => order.payment.amountReceived ?? 0

const part = (whole: number, percent: number): number => Math.max(1, Math.ceil((whole * percent) / 100))

/** The refundOrder input of a draw, as an admin client would send it. */
export const refundInput = (order: Order, draw: RefundDraw) => ({
  orderId: order.id,
  actor: ACTOR,
  ...(draw.percent === null ? {} : { amount: part(capturedOf(order), draw.percent) }),
  ...(draw.requestId === null ? {} : { requestId: draw.requestId }),
  ...(draw.restock ? { restock: true } : {}),
})
export type RefundInput = ReturnType<typeof refundInput>

/**
 * A refund reserved without a requestId whose gateway call failed (an outage: crashes here always carry
 * a requestId, so it never reached Stripe). Without a requestId a repeat is a new refund, so nothing
 * ever completes this one: it stays reserved, counted in amountRefunded, with no gateway id. The
 * refund of a payment held for review (`refund:<orderId>:0`) is never orphaned: repeating completes it.
 */
export const isOrphaned = (refund: Order["refunds"][number]): boolean =>
  refund.gatewayRefundId === null && /^refund:.+:[1-9]\d*$/.test(refund.id)

/**
 * A dashboard refund Stripe can honor and we can record: within what the order still holds, and not
 * the amount of an orphaned reservation, which charge.refunded would take for it and wait on. Null
 * while one of our refunds is unresolved: a dashboard refund racing an unfinished admin refund is
 * settled by a human (neither side knows of the other), not by these use-cases.
 */
export const outsideAmount = (order: Order, percent: number): number | null => {
  const left = capturedOf(order) - order.payment.amountRefunded
  const unresolved = order.refunds.some((r) => r.gatewayRefundId === null && !isOrphaned(r))
  if (left <= 0 || unresolved) return null
  const amount = Math.min(left, part(left, percent))
  return order.refunds.some((r) => isOrphaned(r) && r.amount === amount) ? null : amount
}

/** The admin request and the provider's `charge.refunded`, the two ways a refund enters. */
export const adminRefund = (input: RefundInput) => refundOrder(input)

/** The refund of a payment held for review, as the admin route sends it. */
export const reviewRefund = (orderId: OrderId) =>
  refundReviewedPayment({ orderId, actor: ACTOR, reason: "potential fraud: refunded from review" })

/** A 1-unit order at `product`'s price for which Stripe captured `captured`: held for review. */
export const reviewedOrder = (product: Product, captured: number) =>
  Effect.gen(function* () {
    const { order } = yield* createCheckout({
      items: [{ sku: product.sku, quantity: 1 }],
      currency: product.price.currency,
      email: "shopper@example.com",
    })
    if (order.payment.sessionId === null) return yield* Effect.dieMessage(`setup: ${order.id} has no session`)
    yield* handlePaymentEvent(
      yield* (yield* SandboxControl).pay(order.payment.sessionId, { amount: captured }),
    )
    return order.id
  })

export const dashboardRefund = (order: Order, amount: number) =>
  Effect.gen(function* () {
    const sandbox = yield* SandboxControl
    yield* sandbox.refundOutside(order.payment.paymentIntentId!, money(amount, order.totals.currency))
    return yield* sandbox.refundEvent(order.payment.paymentIntentId!)
  })

export const deliver = (event: PaymentEvent) => handlePaymentEvent(event)

/** Stripe's charge.refunded for everything refunded on the order's charge so far; none before any refund. */
export const chargeRefunded = (order: Order) =>
  Effect.flatMap(SandboxControl, (sandbox) =>
    Effect.option(sandbox.refundEvent(order.payment.paymentIntentId!)),
  )

/** What Stripe and the ledger hold for one order. */
export const moneyTrail = (order: Order) =>
  Effect.gen(function* () {
    const captures = yield* (yield* SandboxControl).captures
    const capture = captures.find((c) => c.paymentIntentId === order.payment.paymentIntentId)
    const ledger = yield* (yield* Ledger).listByOrder(order.id)
    return {
      captured: capture?.amount.amount ?? 0,
      stripeRefunds: capture?.refunds ?? [],
      ledgerRefunds: ledger.filter((entry) => entry.kind === "refund"),
    }
  })
export type MoneyTrail = Effect.Effect.Success<ReturnType<typeof moneyTrail>>

export const sum = (amounts: ReadonlyArray<number>): number => amounts.reduce((a, b) => a + b, 0)

export type { Order, OrderId }
