import { SandboxControl } from "@settle/adapters"
import {
  type EventOutcome,
  handlePaymentEvent,
  MAX_AMOUNT,
  type OrderId,
  type PaymentSucceeded,
  reconcileOrders,
  replayFinalization,
  WebhookEventInbox,
} from "@settle/domain"
import { Effect, Either, type Layer, type ManagedRuntime, Option } from "effect"
import * as fc from "fast-check"
import { expect } from "vitest"
import { ClockControl } from "../../fakes/ControlledClock.js"
import { MetricsProbe } from "../../fakes/MemoryMetrics.js"
import type { StoragePorts } from "../../world.js"
import { expectFinalizedOnce, OPERATOR, PAST_RECONCILE_HORIZON_MS, readBooks } from "./I1Books.js"
import { type TalliedServices, talliedWorld } from "./I1Tally.js"
import { openCheckout, type Shop, usingRuntime } from "./scenario.js"

/**
 * What the customer's session really collected: the order total moved by `delta` minor units (0: left
 * alone), in `currency` (null: the order's own). `via`: what first acts on the payment, before Stripe's
 * `deliveries` of the event: the webhook itself, the stuck-order reconciler, or an operator's replay.
 */
export interface Tampering {
  readonly delta: number
  readonly currency: string | null
  readonly via: "webhook" | "reconcile" | "replay"
  readonly deliveries: number
}

export const tampering: fc.Arbitrary<Tampering> = fc.record({
  delta: fc.oneof(
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 3, arbitrary: fc.integer({ min: -200_000, max: 200_000 }) },
  ),
  currency: fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom("USD", "GBP", "CHF", "JPY", "SEK") },
  ),
  via: fc.constantFrom("webhook", "reconcile", "replay"),
  deliveries: fc.integer({ min: 1, max: 2 }),
})

type Runtime<E> = ManagedRuntime.ManagedRuntime<TalliedServices, E>
type Delivered = Either.Either<EventOutcome, { readonly _tag: string }>

const deliver = <E>(runtime: Runtime<E>, event: PaymentSucceeded, times: number) =>
  runtime.runPromise(
    Effect.all(Array.from({ length: times }, () => Effect.either(handlePaymentEvent(event)))),
  )

/** The first finalizer the plan names; the webhook's own deliveries follow in every plan. */
const firstAct = <E>(runtime: Runtime<E>, plan: Tampering, event: PaymentSucceeded) =>
  runtime.runPromise(
    Effect.gen(function* () {
      if (plan.via === "reconcile") {
        yield* (yield* ClockControl).advance(PAST_RECONCILE_HORIZON_MS)
        const report = yield* reconcileOrders()
        expect(report.checked, "orders the reconciler asked the provider about").toBe(1)
      } else if (plan.via === "replay") {
        yield* replayFinalization({ sessionId: event.sessionId, ...OPERATOR })
      }
    }),
  )

/** Amount mismatch: held for a human, acknowledged (never retried), alerted once, nothing taken for good. */
const expectHeldForReview = async <E>(
  runtime: Runtime<E>,
  shop: Shop,
  orderId: OrderId,
  event: PaymentSucceeded,
  outcomes: ReadonlyArray<Delivered>,
) => {
  const books = await runtime.runPromise(readBooks(shop, orderId))
  expect(books.order.status, "order status").toBe("payment_review")
  expect(books.order.reviewReason, "review reason").toMatch(/^amount_mismatch/)
  expect(books.order.webhook.processedAt, "webhook.processedAt").toBeNull()
  expect(books.writes, "finalization writes that took effect").toEqual({
    finalized: 0,
    ledger_appended: 0,
    stock_committed: 0,
    coupon_redeemed: 0,
  })
  expect(
    outcomes.map((outcome) =>
      Either.isRight(outcome) ? outcome.right._tag : `failed: ${outcome.left._tag}`,
    ),
    "every delivery is acknowledged as a mismatch (2xx)",
  ).toEqual(outcomes.map(() => "AmountMismatch"))
  const record = Option.getOrNull(
    await runtime.runPromise(Effect.flatMap(WebhookEventInbox, (inbox) => inbox.find(event.eventId))),
  )
  expect({ status: record?.status, lastError: record?.lastError }, "inbox record").toEqual({
    status: "error",
    lastError: "amount_mismatch",
  })
  const probe = await runtime.runPromise(MetricsProbe)
  const alerts = await runtime.runPromise(probe.value("payment_review_total", { reason: "amount_mismatch" }))
  expect(alerts, 'payment_review_total{reason="amount_mismatch"}').toBe(1)
  expect(
    books.ledger.filter((entry) => entry.kind === "payment"),
    "payment ledger entries",
  ).toEqual([])
  for (const before of shop.products) {
    const after = books.products.find((p) => p.id === before.id)?.stock
    const total = (s: typeof before.stock) => s.available + s.reserved + s.committed
    expect(after?.committed, `committed ${before.sku}`).toBe(before.stock.committed)
    expect(after === undefined ? -1 : total(after), `units of ${before.sku}`).toBe(total(before.stock))
  }
  if (shop.coupon !== null) expect(books.coupon?.redeemedCount, "coupon redemptions").toBe(0)
}

/**
 * I2 for one drawn shop and tampering: confirmed exactly when amount and currency both match; else
 * held for review by every path, and neither a later redelivery, the reconciler nor a replay confirms it.
 */
export const verifyTampered = <E>(storage: Layer.Layer<StoragePorts, E>, shop: Shop, plan: Tampering) =>
  usingRuntime(talliedWorld(storage), async (runtime) => {
    const { order, event } = await runtime.runPromise(
      Effect.gen(function* () {
        const opened = yield* openCheckout(shop)
        const { total, currency } = opened.order.totals
        const amount = Math.min(MAX_AMOUNT, Math.max(0, total + plan.delta))
        const paid = yield* (yield* SandboxControl).pay(opened.sessionId, {
          amount,
          currency: plan.currency ?? currency,
        })
        return { order: opened.order, event: paid }
      }),
    )
    const matches =
      event.amount.amount === order.totals.total && event.amount.currency === order.totals.currency
    await firstAct(runtime, plan, event)
    const outcomes = await deliver(runtime, event, plan.deliveries)
    if (matches) {
      expect(outcomes.every(Either.isRight), "deliveries of a matching payment are acknowledged").toBe(true)
      expectFinalizedOnce(shop, await runtime.runPromise(readBooks(shop, order.id)))
      return
    }
    await expectHeldForReview(runtime, shop, order.id, event, outcomes)
    const later = await runtime.runPromise(
      Effect.gen(function* () {
        yield* (yield* ClockControl).advance(PAST_RECONCILE_HORIZON_MS)
        yield* reconcileOrders()
        const replayed = yield* Effect.either(replayFinalization({ sessionId: event.sessionId, ...OPERATOR }))
        return { replayed, redelivered: yield* Effect.either(handlePaymentEvent(event)) }
      }),
    )
    expect(Either.isRight(later.replayed), "a replay of a held order is answered").toBe(true)
    await expectHeldForReview(runtime, shop, order.id, event, [...outcomes, later.redelivered])
  })
