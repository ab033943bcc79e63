import { SandboxControl } from "@settle/adapters"
import { acceptReviewedPayment, handlePaymentEvent, ProductCatalog, refundOrder } from "@settle/domain"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { books, lateReview, mismatchedReview, ORDER, operator } from "./reviewSupport.js"
import {
  auditTrail,
  confirmedOrder,
  MUG,
  orderOf,
  pendingCouponOrder,
  recordOf,
  run,
  sessionOf,
  T0,
} from "./support.js"

const INTENT = "pi_sandbox_000001"

describe("acceptReviewedPayment", () => {
  it("finalizes a mismatched payment as received: ledger of what came in, stock and coupon once, confirmed", () =>
    run(
      Effect.gen(function* () {
        const { order: held, event } = yield* mismatchedReview
        const outcome = yield* acceptReviewedPayment(operator())
        expect(outcome._tag).toBe("Accepted")
        expect(outcome.order).toMatchObject({
          status: "confirmed",
          reviewReason: held.reviewReason,
          webhook: { processedAt: T0 },
          invoice: { status: "pending" },
        })
        expect(yield* books()).toEqual({
          status: "confirmed",
          processedAt: T0,
          invoice: "pending",
          amountRefunded: 0,
          refunds: [],
          stock: {
            mug: { available: 0, reserved: 0, committed: 2 },
            plate: { available: 5, reserved: 0, committed: 1 },
          },
          holds: [],
          coupon: { available: 9, reservedCount: 0, redeemedCount: 1 },
          reservation: "redeemed",
          payments: [[{ amount: 100, currency: "EUR" }, INTENT, `checkout:${ORDER}`]],
          refundEntries: [],
          takenAtGateway: [],
          audit: [["order.review_accept", "risk@shop", operator().reason]],
        })
        const [record] = yield* auditTrail
        expect(record).toMatchObject({
          orderId: ORDER,
          before: { status: "payment_review", amountReceived: 100, processedAt: null },
          after: { status: "confirmed", amountReceived: 100, processedAt: T0 },
        })
        // The delivery stays what it was, a mismatch; a redelivery now finds the order finalized.
        expect(yield* recordOf(event.eventId)).toMatchObject({
          status: "error",
          lastError: "amount_mismatch",
        })
        const finalized = yield* orderOf(ORDER)
        expect(yield* handlePaymentEvent(event)).toMatchObject({
          _tag: "Processed",
          detail: "AlreadyFinalized",
        })
        expect(yield* orderOf(ORDER)).toEqual(finalized)
      }),
    ))

  it("books a payment in another currency in that currency", () =>
    run(
      Effect.gen(function* () {
        const order = yield* pendingCouponOrder
        const paid = yield* (yield* SandboxControl).pay(yield* sessionOf(order), { currency: "USD" })
        yield* handlePaymentEvent(paid)
        expect((yield* orderOf(ORDER)).reviewReason).toBe(
          "amount_mismatch: expected 2700 EUR, received 2700 USD",
        )
        yield* acceptReviewedPayment(operator())
        expect((yield* books()).payments).toEqual([
          [{ amount: 2700, currency: "USD" }, INTENT, `checkout:${ORDER}`],
        ])
      }),
    ))

  it("holds a late payment's capacity again before accepting it, and refuses while it is gone", () =>
    run(
      Effect.gen(function* () {
        const { order: held } = yield* lateReview
        expect(held).toMatchObject({ status: "payment_review", reviewReason: "late_payment_capacity_gone" })
        const gone = yield* Effect.flip(acceptReviewedPayment(operator()))
        expect(gone).toMatchObject({ _tag: "CapacityGone", orderId: ORDER, resource: "MUG-1" })
        const refused = yield* books()
        expect(refused).toMatchObject({
          status: "payment_review",
          holds: [],
          stock: {
            mug: { available: 0, reserved: 0, committed: 2 },
            plate: { available: 6, reserved: 0, committed: 0 },
          },
          coupon: { available: 10, reservedCount: 0, redeemedCount: 0 },
          payments: [],
          audit: [],
        })

        yield* (yield* ProductCatalog).addStock(MUG, 2, T0)
        expect((yield* acceptReviewedPayment(operator()))._tag).toBe("Accepted")
        expect(yield* books()).toMatchObject({
          status: "confirmed",
          holds: [],
          stock: {
            mug: { available: 0, reserved: 0, committed: 4 },
            plate: { available: 5, reserved: 0, committed: 1 },
          },
          coupon: { available: 9, reservedCount: 0, redeemedCount: 1 },
          reservation: "redeemed",
          payments: [[{ amount: 2700, currency: "EUR" }, held.payment.paymentIntentId, `checkout:${ORDER}`]],
          audit: [["order.review_accept", "risk@shop", operator().reason]],
        })
      }),
    ))

  it("answers a repeat with AlreadyAccepted and changes nothing, not even the audit trail", () =>
    run(
      Effect.gen(function* () {
        yield* mismatchedReview
        yield* acceptReviewedPayment(operator())
        const once = yield* books()
        const order = yield* orderOf(ORDER)
        const again = yield* acceptReviewedPayment(operator({ reason: "clicked twice" }))
        expect(again).toEqual({ _tag: "AlreadyAccepted", order })
        expect(yield* books()).toEqual(once)
        expect(yield* orderOf(ORDER)).toEqual(order)
      }),
    ))

  it("is refused with IllegalTransition for an order that was never held for review", () =>
    run(
      Effect.gen(function* () {
        const pending = yield* pendingCouponOrder
        expect(yield* Effect.flip(acceptReviewedPayment(operator()))).toMatchObject({
          _tag: "IllegalTransition",
          from: "pending",
          action: "accept_review",
        })
        expect(yield* orderOf(pending.id)).toEqual(pending)
        expect(yield* auditTrail).toEqual([])
      }),
    ))

  it("is refused for a confirmed order, refunded or not, and changes nothing", () =>
    run(
      Effect.gen(function* () {
        const confirmed = yield* confirmedOrder()
        const refused = yield* Effect.flip(acceptReviewedPayment(operator()))
        expect(refused).toMatchObject({ _tag: "IllegalTransition", from: "confirmed" })
        yield* refundOrder({ orderId: ORDER, actor: "alice", amount: 1000 })
        const refunded = yield* orderOf(confirmed.id)
        expect(yield* Effect.flip(acceptReviewedPayment(operator()))).toMatchObject({
          _tag: "IllegalTransition",
          from: "partially_refunded",
        })
        expect(yield* orderOf(confirmed.id)).toEqual(refunded)
      }),
    ))

  it("rejects bad input naming the field, before reading anything", () =>
    run(
      Effect.gen(function* () {
        yield* mismatchedReview
        for (const [input, field] of [
          [operator({ reason: "  " }), "reason"],
          [operator({ reason: undefined }), "reason"],
          [operator({ actor: "" }), "actor"],
          [operator({ orderId: { $gt: "" } }), "orderId"],
          [operator({ force: true }), "force"],
        ] as const) {
          expect(yield* Effect.flip(acceptReviewedPayment(input))).toMatchObject({
            _tag: "InvalidInput",
            field,
          })
        }
        expect((yield* orderOf(ORDER)).status).toBe("payment_review")
      }),
    ))

  it("reports an unknown order", () =>
    run(
      Effect.gen(function* () {
        const missing = yield* Effect.flip(acceptReviewedPayment(operator({ orderId: "ord_nope" })))
        expect(missing).toMatchObject({ _tag: "OrderNotFound", key: "ord_nope" })
      }),
    ))
})
