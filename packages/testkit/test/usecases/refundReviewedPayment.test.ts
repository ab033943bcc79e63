import { SandboxControl } from "@settle/adapters"
import { acceptReviewedPayment, handlePaymentEvent, refundOrder, refundReviewedPayment } from "@settle/domain"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { books, lateReview, mismatchedReview, ORDER, operator } from "./reviewSupport.js"
import {
  auditTrail,
  confirmedOrder,
  gatewayRefunds,
  metric,
  orderOf,
  pendingCouponOrder,
  run,
  sessionOf,
} from "./support.js"

const INTENT = "pi_sandbox_000001"
const REFUND_ID = `refund:${ORDER}:0`
const FREE = {
  mug: { available: 2, reserved: 0, committed: 0 },
  plate: { available: 6, reserved: 0, committed: 0 },
}

describe("refundReviewedPayment", () => {
  it("refunds what was captured, books it, releases every hold and closes the order refunded", () =>
    run(
      Effect.gen(function* () {
        yield* mismatchedReview
        const outcome = yield* refundReviewedPayment(operator({ reason: "RISK-8: card testing" }))
        expect(outcome).toMatchObject({
          _tag: "Refunded",
          order: { status: "refunded", webhook: { processedAt: null } },
          refund: { id: REFUND_ID, amount: 100, gatewayRefundId: "re_sandbox_000001", restock: false },
        })
        expect(yield* books()).toEqual({
          status: "refunded",
          processedAt: null,
          invoice: "unscheduled",
          amountRefunded: 100,
          refunds: [{ id: REFUND_ID, amount: 100, gatewayRefundId: "re_sandbox_000001" }],
          stock: FREE,
          holds: [],
          coupon: { available: 10, reservedCount: 0, redeemedCount: 0 },
          reservation: "released",
          payments: [[{ amount: 100, currency: "EUR" }, INTENT, `checkout:${ORDER}`]],
          refundEntries: [[{ amount: 100, currency: "EUR" }, "re_sandbox_000001", REFUND_ID]],
          takenAtGateway: [[{ amount: 100, currency: "EUR" }, REFUND_ID]],
          audit: [["order.review_refund", "risk@shop", "RISK-8: card testing"]],
        })
        expect((yield* gatewayRefunds).map((r) => [r.paymentIntentId, r.idempotencyKey])).toEqual([
          [INTENT, REFUND_ID],
        ])
        expect(yield* metric("refund_operations_total", { status: "success" })).toBe(1)
        expect((yield* auditTrail)[0]).toMatchObject({
          before: { status: "payment_review", amountRefunded: 0 },
          after: { status: "refunded", amountRefunded: 100, refundId: REFUND_ID },
        })
      }),
    ))

  it("refunds in the currency the payment came in", () =>
    run(
      Effect.gen(function* () {
        const order = yield* pendingCouponOrder
        yield* handlePaymentEvent(
          yield* (yield* SandboxControl).pay(yield* sessionOf(order), { amount: 5000, currency: "USD" }),
        )
        yield* refundReviewedPayment(operator())
        expect((yield* gatewayRefunds).map((r) => r.amount)).toEqual([{ amount: 5000, currency: "USD" }])
        expect((yield* books()).refundEntries).toEqual([
          [{ amount: 5000, currency: "USD" }, "re_sandbox_000001", REFUND_ID],
        ])
      }),
    ))

  it("closes a late payment whose capacity is gone: the whole payment back, nothing held", () =>
    run(
      Effect.gen(function* () {
        const { order } = yield* lateReview
        yield* refundReviewedPayment(operator())
        expect(yield* books()).toMatchObject({
          status: "refunded",
          refunds: [{ id: REFUND_ID, amount: 2700 }],
          holds: [],
          stock: { mug: { available: 0, reserved: 0, committed: 2 }, plate: FREE.plate },
          coupon: { available: 10, reservedCount: 0, redeemedCount: 0 },
          takenAtGateway: [[{ amount: 2700, currency: "EUR" }, REFUND_ID]],
        })
        expect((yield* gatewayRefunds)[0]?.paymentIntentId).toBe(order.payment.paymentIntentId)
      }),
    ))

  it("refunds once when repeated, and answers the repeat AlreadyRefunded", () =>
    run(
      Effect.gen(function* () {
        yield* mismatchedReview
        const first = yield* refundReviewedPayment(operator())
        const once = yield* books()
        const again = yield* refundReviewedPayment(operator({ reason: "clicked twice" }))
        expect(again).toEqual({ ...first, _tag: "AlreadyRefunded" })
        expect(yield* books()).toEqual(once)
        expect(yield* gatewayRefunds).toHaveLength(1)
      }),
    ))

  it("keeps the amount reserved through a provider outage; asking again completes that refund once", () =>
    run(
      Effect.gen(function* () {
        yield* mismatchedReview
        const sandbox = yield* SandboxControl
        yield* sandbox.setFailing(true)
        const failed = yield* Effect.flip(refundReviewedPayment(operator()))
        expect(failed._tag).toBe("PaymentGatewayError")
        expect(yield* books()).toMatchObject({
          status: "refunded",
          refunds: [{ id: REFUND_ID, amount: 100, gatewayRefundId: null }],
          stock: FREE,
          refundEntries: [],
          takenAtGateway: [],
          audit: [["order.review_refund_failed", "risk@shop", operator().reason]],
        })
        expect(yield* metric("refund_operations_total", { status: "failure" })).toBe(1)
        // No other refund can take the reserved amount meanwhile, nor revive the order.
        expect(yield* Effect.flip(refundOrder({ orderId: ORDER, actor: "alice", amount: 1 }))).toMatchObject({
          _tag: "IllegalTransition",
        })

        yield* sandbox.setFailing(false)
        expect((yield* refundReviewedPayment(operator()))._tag).toBe("Refunded")
        expect(yield* books()).toMatchObject({
          refunds: [{ id: REFUND_ID, amount: 100, gatewayRefundId: "re_sandbox_000001" }],
          takenAtGateway: [[{ amount: 100, currency: "EUR" }, REFUND_ID]],
          audit: [
            ["order.review_refund_failed", "risk@shop", operator().reason],
            ["order.review_refund", "risk@shop", operator().reason],
          ],
        })
      }),
    ))

  it("leaves a refunded order alone when Stripe delivers its payment again", () =>
    run(
      Effect.gen(function* () {
        const { event } = yield* mismatchedReview
        yield* refundReviewedPayment(operator())
        const closed = yield* orderOf(ORDER)
        expect(yield* handlePaymentEvent(event)).toMatchObject({
          _tag: "Processed",
          detail: "AlreadyFinalized",
        })
        expect(yield* orderOf(ORDER)).toEqual(closed)
      }),
    ))

  it("is refused for an accepted order, and accepting is refused for a refunded one", () =>
    run(
      Effect.gen(function* () {
        yield* mismatchedReview
        yield* acceptReviewedPayment(operator())
        const accepted = yield* books()
        expect(yield* Effect.flip(refundReviewedPayment(operator()))).toMatchObject({
          _tag: "IllegalTransition",
          from: "confirmed",
          action: "refund_review",
        })
        expect(yield* books()).toEqual(accepted)
      }),
    ).then(() =>
      run(
        Effect.gen(function* () {
          yield* mismatchedReview
          yield* refundReviewedPayment(operator())
          expect(yield* Effect.flip(acceptReviewedPayment(operator()))).toMatchObject({
            _tag: "IllegalTransition",
            from: "refunded",
            action: "accept_review",
          })
        }),
      ),
    ))

  it("is refused for an order never held for review, and changes nothing", () =>
    run(
      Effect.gen(function* () {
        const confirmed = yield* confirmedOrder()
        expect(yield* Effect.flip(refundReviewedPayment(operator()))).toMatchObject({
          _tag: "IllegalTransition",
          from: "confirmed",
        })
        expect(yield* orderOf(confirmed.id)).toEqual(confirmed)
        expect(yield* gatewayRefunds).toEqual([])
        expect(yield* auditTrail).toEqual([])
      }),
    ))
})
