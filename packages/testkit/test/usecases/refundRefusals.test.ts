import { SandboxControl } from "@settle/adapters"
import { money, OrderId, PaymentIntentId, refundOrder, refundReviewedPayment } from "@settle/domain"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { arm, disarm } from "../../src/faults/FaultInjection.js"
import { mismatchedReview, operator } from "./reviewSupport.js"
import {
  auditTrail,
  confirmedOrder,
  crashPointOf,
  gatewayRefunds,
  ledgerOf,
  metric,
  orderOf,
  run,
  runFaulty,
} from "./support.js"

const ORDER = OrderId.make("ord_000001")
const INTENT = PaymentIntentId.make("pi_sandbox_000001")

const request = (extra: Record<string, unknown> = {}) => ({ orderId: ORDER, actor: "alice@shop", ...extra })

/** Stripe refunds part of the payment outside Settle (the dashboard): Settle does not know of it yet. */
const refundedInDashboard = (amount: number) =>
  Effect.flatMap(SandboxControl, (control) => control.refundOutside(INTENT, money(amount, "EUR")))

describe("a refund the provider refuses", () => {
  it("releases the reserved amount: the order is refundable for the full amount again", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        yield* refundedInDashboard(1000)
        const refused = yield* Effect.flip(refundOrder(request({ amount: 3000, requestId: "req-a" })))
        expect(refused).toMatchObject({ _tag: "PaymentRefused", code: "amount_too_large" })
        const order = yield* orderOf(ORDER)
        expect(order.status).toBe("confirmed")
        expect(order.payment.amountRefunded).toBe(0)
        expect(order.refunds).toEqual([])
        expect(yield* ledgerOf(ORDER, "refund")).toEqual([])
        expect(yield* metric("refund_operations_total", { status: "failure" })).toBe(1)
        expect((yield* auditTrail).map((r) => r.action)).toEqual(["order.refund_failed"])

        // Nothing is left reserved, so Settle would take the full 3000 again; Stripe has 2000 left.
        const done = yield* refundOrder(request({ amount: 2000 }))
        expect(done).toMatchObject({ amount: 2000, gatewayRefundId: "re_sandbox_000002" })
        expect((yield* orderOf(ORDER)).payment.amountRefunded).toBe(2000)
      }),
    ))

  it("never gives a released refund's number again: Stripe keeps its refusal under that key", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        yield* refundOrder(request({ amount: 1000 }))
        yield* refundedInDashboard(1500)
        yield* Effect.flip(refundOrder(request({ amount: 2000 })))
        const next = yield* refundOrder(request({ amount: 500 }))
        expect(next.id).toBe(`refund:${ORDER}:3`)
        expect((yield* gatewayRefunds).map((r) => r.idempotencyKey)).toEqual([
          `refund:${ORDER}:1`,
          `refund:${ORDER}:2`,
          `refund:${ORDER}:3`,
        ])
      }),
    ))

  it("releases it on a partially refunded order back to partially_refunded", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        yield* refundOrder(request({ amount: 1000 }))
        yield* refundedInDashboard(1500)
        yield* Effect.flip(refundOrder(request({ amount: 2000 })))
        const order = yield* orderOf(ORDER)
        expect(order.status).toBe("partially_refunded")
        expect(order.payment.amountRefunded).toBe(1000)
        expect(order.refunds.map((r) => r.amount)).toEqual([1000])
      }),
    ))

  it("a store failure while releasing leaves it reserved; repeating the request releases it", async () => {
    const setup = Effect.zipRight(confirmedOrder(), refundedInDashboard(1000))
    const refund = () => refundOrder(request({ amount: 3000, requestId: "req-a" }))
    const release = await crashPointOf(setup, refund, "OrderRepository.releaseRefund")
    await runFaulty(
      Effect.gen(function* () {
        yield* setup
        yield* arm(release)
        expect((yield* Effect.flip(refund()))._tag).toBe("PaymentRefused")
        yield* disarm
        expect((yield* orderOf(ORDER)).payment.amountRefunded).toBe(3000)
        expect((yield* Effect.flip(refund()))._tag).toBe("PaymentRefused")
        const order = yield* orderOf(ORDER)
        expect(order).toMatchObject({ status: "confirmed", refunds: [], payment: { amountRefunded: 0 } })
      }),
    )
  })

  it("keeps the amount reserved when the provider is unavailable (it may yet have refunded)", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        const sandbox = yield* SandboxControl
        yield* sandbox.setFailing(true)
        const failed = yield* Effect.flip(refundOrder(request({ amount: 1000 })))
        yield* sandbox.setFailing(false)
        expect(failed._tag).toBe("PaymentGatewayError")
        expect((yield* orderOf(ORDER)).payment.amountRefunded).toBe(1000)
      }),
    ))

  it("puts a payment held for review back in review when its refund is refused", () =>
    run(
      Effect.gen(function* () {
        yield* mismatchedReview
        yield* refundedInDashboard(100)
        const refused = yield* Effect.flip(refundReviewedPayment(operator({ reason: "RISK-9" })))
        expect(refused._tag).toBe("PaymentRefused")
        const order = yield* orderOf(ORDER)
        expect(order.status).toBe("payment_review")
        expect(order.payment.amountRefunded).toBe(0)
        expect(order.refunds).toEqual([])
        expect((yield* auditTrail).map((r) => r.action)).toEqual(["order.review_refund_failed"])
      }),
    ))
})

describe("a refund requestId", () => {
  it("reused with a different amount, reason or restock is refused and refunds nothing", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        const first = yield* refundOrder(request({ amount: 1000, reason: "damaged", requestId: "req-a" }))
        for (const [changed, field] of [
          [{ amount: 1200, reason: "damaged" }, "amount"],
          [{ amount: 1000, reason: "late" }, "reason"],
          [{ amount: 1000, reason: "damaged", restock: true }, "restock"],
        ] as const) {
          const reused = yield* Effect.flip(refundOrder(request({ ...changed, requestId: "req-a" })))
          expect(reused).toMatchObject({ _tag: "RequestIdReused", requestId: "req-a", field })
        }
        // The same parameters again are the same refund.
        expect(yield* refundOrder(request({ amount: 1000, reason: "damaged", requestId: "req-a" }))).toEqual(
          first,
        )
        // Without an amount the request asks for what is left, which the first refund's amount matches.
        expect(yield* refundOrder(request({ reason: "damaged", requestId: "req-a" }))).toEqual(first)
        expect((yield* orderOf(ORDER)).payment.amountRefunded).toBe(1000)
        expect(yield* gatewayRefunds).toHaveLength(1)
      }),
    ))
})
