import { SandboxControl } from "@settle/adapters"
import {
  CouponReservationRepository,
  handlePaymentEvent,
  money,
  OrderId,
  SessionExpired,
  SessionId,
  StripeEventId,
  type WebhookMetricStatus,
} from "@settle/domain"
import { Effect, Option } from "effect"
import { describe, expect, it } from "vitest"
import { arm, callLog } from "../../src/faults/FaultInjection.js"
import { anEvent, anUnrecognizedEvent } from "../../src/fixtures.js"
import {
  couponOf,
  deliverCrashingAt,
  ledgerOf,
  MUG,
  metric,
  orderOf,
  PLATE,
  paidAtSandbox,
  pendingCouponOrder,
  productOf,
  recordOf,
  run,
  runFaulty,
  sessionOf,
  T0,
} from "./support.js"

const ORDER = OrderId.make("ord_000001")
const COMPLETED = "checkout.session.completed"

const STATUSES: ReadonlyArray<WebhookMetricStatus> = ["received", "processed", "retry", "duplicate", "error"]

/** webhook_events_total of one event type, by status. */
const webhookMetrics = (type = COMPLETED) =>
  Effect.forEach(STATUSES, (status) => metric("webhook_events_total", { status, type })).pipe(
    Effect.map((values) => Object.fromEntries(STATUSES.map((status, i) => [status, values[i]]))),
  )

/** The expected webhook_events_total by status: those not named are 0. */
const counts = (changes: Partial<Record<WebhookMetricStatus, number>>) => ({
  ...Object.fromEntries(STATUSES.map((status) => [status, 0])),
  ...changes,
})

/** Stock back to what it was and the coupon unit returned, its record in `status`. */
const expectReleased = (status: "expired" | "released") =>
  Effect.gen(function* () {
    expect(yield* productOf(MUG)).toMatchObject({
      stock: { available: 2, reserved: 0, committed: 0 },
      holds: [],
    })
    expect((yield* productOf(PLATE)).stock).toEqual({ available: 6, reserved: 0, committed: 0 })
    const coupon = yield* couponOf("SAVE10")
    expect(coupon).toMatchObject({ available: 10, reservedCount: 0, redeemedCount: 0, holds: [] })
    const record = yield* (yield* CouponReservationRepository).find(coupon.id, ORDER)
    expect(Option.getOrThrow(record).status).toBe(status)
  })

describe("handlePaymentEvent", () => {
  it("records a new event, finalizes its order, and counts it received and processed", () =>
    run(
      Effect.gen(function* () {
        const event = yield* paidAtSandbox
        expect(yield* handlePaymentEvent(event)).toEqual({
          _tag: "Processed",
          orderId: ORDER,
          detail: "Finalized",
        })
        expect(yield* recordOf(event.eventId)).toMatchObject({
          status: "processed",
          attempts: 1,
          orderId: ORDER,
          lastError: null,
          processedAt: T0,
        })
        expect(yield* webhookMetrics()).toEqual(counts({ received: 1, processed: 1 }))
        expect((yield* orderOf(ORDER)).status).toBe("confirmed")
      }),
    ))

  it("answers a redelivery of a processed event as a Duplicate and does nothing else", () =>
    run(
      Effect.gen(function* () {
        const event = yield* paidAtSandbox
        yield* handlePaymentEvent(event)
        const order = yield* orderOf(ORDER)
        expect(yield* handlePaymentEvent(event)).toEqual({ _tag: "Duplicate" })
        expect(yield* orderOf(ORDER)).toEqual(order)
        expect(yield* recordOf(event.eventId)).toMatchObject({ status: "processed", attempts: 2 })
        expect(yield* webhookMetrics()).toEqual(counts({ received: 2, processed: 1, duplicate: 1 }))
        expect(yield* ledgerOf(ORDER, "payment")).toHaveLength(1)
      }),
    ))

  it("leaves an event whose processing crashed at any store call as error; its redelivery is a Retry that completes", async () => {
    const calls = await runFaulty(
      Effect.gen(function* () {
        const event = yield* paidAtSandbox
        yield* arm(null)
        yield* handlePaymentEvent(event)
        return yield* callLog
      }),
    )
    // Call 1 is the inbox's receive: a crash there records nothing, so Stripe's retry is a first delivery.
    for (let at = 2; at <= calls.length; at++) {
      const step = `crash at ${at} (${calls[at - 1]})`
      await runFaulty(
        Effect.gen(function* () {
          const event = yield* paidAtSandbox
          const failure = yield* deliverCrashingAt(event, at)
          expect(failure._tag, step).toBe("StoreError")
          const record = yield* recordOf(event.eventId)
          expect(record.status, step).toBe("error")
          expect(record.lastError, step).toMatch(/^StoreError/)
          expect(yield* webhookMetrics(), step).toEqual(counts({ received: 1, error: 1 }))

          expect(yield* handlePaymentEvent(event), step).toMatchObject({ _tag: "Processed", orderId: ORDER })
          const retried = yield* recordOf(event.eventId)
          expect(retried, step).toMatchObject({ status: "processed", attempts: 2, lastError: null })
          const metrics = counts({ received: 2, error: 1, retry: 1, processed: 1 })
          expect(yield* webhookMetrics(), step).toEqual(metrics)
          const order = yield* orderOf(ORDER)
          expect(order, step).toMatchObject({ status: "confirmed", webhook: { processedAt: T0 } })
          expect(yield* ledgerOf(ORDER, "payment"), step).toHaveLength(1)
          expect((yield* productOf(MUG)).stock, step).toEqual({ available: 0, reserved: 0, committed: 2 })
          expect(yield* couponOf("SAVE10"), step).toMatchObject({ reservedCount: 0, redeemedCount: 1 })
        }),
      )
    }
  })

  it("expires a pending order on SessionExpired and releases its holds", () =>
    run(
      Effect.gen(function* () {
        const order = yield* pendingCouponOrder
        const event = yield* (yield* SandboxControl).expire(yield* sessionOf(order))
        expect(yield* handlePaymentEvent(event)).toEqual({
          _tag: "Processed",
          orderId: ORDER,
          detail: "expired",
        })
        expect((yield* orderOf(ORDER)).status).toBe("expired")
        yield* expectReleased("expired")
      }),
    ))

  it("ignores SessionExpired after the payment: the state machine decides", () =>
    run(
      Effect.gen(function* () {
        const paid = yield* paidAtSandbox
        yield* handlePaymentEvent(paid)
        const confirmed = yield* orderOf(ORDER)
        const late = SessionExpired.make({
          eventId: StripeEventId.make("evt_late_expiry"),
          type: "checkout.session.expired",
          sessionId: paid.sessionId,
          orderId: ORDER,
        })
        expect(yield* handlePaymentEvent(late)).toMatchObject({
          _tag: "Processed",
          detail: "ignored_in_confirmed",
        })
        expect(yield* orderOf(ORDER)).toEqual(confirmed)
        expect((yield* recordOf(late.eventId)).status).toBe("processed")
      }),
    ))

  it("cancels a pending order on PaymentFailed and releases its holds", () =>
    run(
      Effect.gen(function* () {
        const order = yield* pendingCouponOrder
        const event = yield* (yield* SandboxControl).failAsync(yield* sessionOf(order))
        expect(yield* handlePaymentEvent(event)).toEqual({
          _tag: "Processed",
          orderId: ORDER,
          detail: "cancelled",
        })
        expect((yield* orderOf(ORDER)).status).toBe("cancelled")
        yield* expectReleased("released")
      }),
    ))

  it("acknowledges PaymentPending and changes nothing", () =>
    run(
      Effect.gen(function* () {
        const order = yield* pendingCouponOrder
        const event = yield* (yield* SandboxControl).payLater(yield* sessionOf(order))
        const detail = "awaiting_async_payment"
        expect(yield* handlePaymentEvent(event)).toEqual({ _tag: "Processed", orderId: ORDER, detail })
        expect(yield* orderOf(ORDER)).toEqual(order)
        expect((yield* productOf(MUG)).stock).toEqual({ available: 0, reserved: 2, committed: 0 })
        expect((yield* recordOf(event.eventId)).status).toBe("processed")
      }),
    ))

  it("records and acknowledges an unrecognized event type", () =>
    run(
      Effect.gen(function* () {
        const event = anUnrecognizedEvent()
        const detail = "unrecognized_type"
        expect(yield* handlePaymentEvent(event)).toEqual({ _tag: "Processed", orderId: null, detail })
        expect(yield* recordOf(event.eventId)).toMatchObject({
          status: "processed",
          type: "customer.created",
        })
        expect(yield* webhookMetrics("customer.created")).toEqual(counts({ received: 1, processed: 1 }))
      }),
    ))

  it("acknowledges a payment for a session that is not ours and names no order", () =>
    run(
      Effect.gen(function* () {
        const order = yield* pendingCouponOrder
        const event = anEvent({ sessionId: SessionId.make("cs_foreign"), orderId: null })
        const detail = "not_our_session"
        expect(yield* handlePaymentEvent(event)).toEqual({ _tag: "Processed", orderId: null, detail })
        expect(yield* orderOf(ORDER)).toEqual(order)
        expect((yield* recordOf(event.eventId)).status).toBe("processed")
      }),
    ))

  it("fails with OrderNotFound for an event naming an unknown order, leaving it error", () =>
    run(
      Effect.gen(function* () {
        yield* pendingCouponOrder
        const event = anEvent({
          sessionId: SessionId.make("cs_unknown"),
          orderId: OrderId.make("ord_missing"),
        })
        const failure = yield* Effect.flip(handlePaymentEvent(event))
        expect(failure).toMatchObject({ _tag: "OrderNotFound", key: "ord_missing" })
        const record = yield* recordOf(event.eventId)
        expect(record.status).toBe("error")
        expect(record.lastError).toMatch(/^OrderNotFound/)
        expect(yield* webhookMetrics()).toEqual(counts({ received: 1, error: 1 }))
      }),
    ))

  it("holds an order whose payment does not match for review: acknowledged, left error", () =>
    run(
      Effect.gen(function* () {
        const order = yield* pendingCouponOrder
        const event = yield* (yield* SandboxControl).pay(yield* sessionOf(order), { amount: 100 })
        expect(yield* handlePaymentEvent(event)).toEqual({ _tag: "AmountMismatch", orderId: ORDER })
        expect(yield* recordOf(event.eventId)).toMatchObject({
          status: "error",
          lastError: "amount_mismatch",
          orderId: ORDER,
          processedAt: null,
        })
        const held = yield* orderOf(ORDER)
        expect(held).toMatchObject({ status: "payment_review", webhook: { processedAt: null } })
        expect(held.reviewReason).toMatch(/^amount_mismatch/)
        expect((yield* productOf(MUG)).stock).toEqual({ available: 0, reserved: 2, committed: 0 })
        expect(yield* ledgerOf(ORDER, "payment")).toHaveLength(0)
        expect(yield* webhookMetrics()).toEqual(counts({ received: 1, error: 1 }))
        expect(yield* metric("payment_review_total", { reason: "amount_mismatch" })).toBe(1)
        // Stripe may deliver it again anyway: never retried, it stays an amount_mismatch error.
        expect(yield* handlePaymentEvent(event)).toEqual({ _tag: "AmountMismatch", orderId: ORDER })
        expect(yield* recordOf(event.eventId)).toMatchObject({
          status: "error",
          lastError: "amount_mismatch",
        })
        expect(yield* orderOf(ORDER)).toEqual(held)
        expect(yield* metric("payment_review_total", { reason: "amount_mismatch" })).toBe(1)
      }),
    ))

  it("records a refund Stripe reports on charge.refunded", () =>
    run(
      Effect.gen(function* () {
        const paid = yield* paidAtSandbox
        yield* handlePaymentEvent(paid)
        const sandbox = yield* SandboxControl
        yield* sandbox.refundOutside(paid.paymentIntentId, money(500, "EUR"))
        const event = yield* sandbox.refundEvent(paid.paymentIntentId)
        const detail = "refund_recorded"
        expect(yield* handlePaymentEvent(event)).toEqual({ _tag: "Processed", orderId: ORDER, detail })
        expect(yield* orderOf(ORDER)).toMatchObject({
          status: "partially_refunded",
          payment: { amountRefunded: 500 },
        })
        expect(yield* webhookMetrics("charge.refunded")).toEqual(counts({ received: 1, processed: 1 }))
      }),
    ))
})
