import { SandboxControl } from "@settle/adapters"
import {
  ChargeRefunded,
  money,
  OrderId,
  PaymentIntentId,
  RefundId,
  recordProviderRefund,
  refundOrder,
  StripeEventId,
} from "@settle/domain"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { auditTrail, confirmedOrder, ledgerOf, orderOf, run } from "./support.js"

/** The confirmed order of `confirmedOrder()` and the payment intent the sandbox captured it with. */
const ORDER = OrderId.make("ord_000001")
const INTENT = "pi_sandbox_000001"

const chargeRefunded = (
  eventId: string,
  refunds: ReadonlyArray<readonly [string, number]>,
  currency = "EUR",
) =>
  ChargeRefunded.make({
    eventId: StripeEventId.make(eventId),
    type: "charge.refunded",
    paymentIntentId: PaymentIntentId.make(INTENT),
    refunds: refunds.map(([id, amount]) => ({
      refundId: RefundId.make(id),
      amount: money(amount, currency),
    })),
  })

const refundLedger = ledgerOf(ORDER, "refund")

describe("recordProviderRefund", () => {
  it("records a refund made in the Stripe dashboard, with its ledger entry", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        const order = yield* recordProviderRefund(chargeRefunded("evt_1", [["re_x", 500]]))
        expect(order.status).toBe("partially_refunded")
        expect(order.payment.amountRefunded).toBe(500)
        expect(order.refunds).toMatchObject([
          { id: `refund:${ORDER}:stripe:re_x`, gatewayRefundId: "re_x", amount: 500 },
        ])
        expect((yield* refundLedger).map((e) => [e.externalId, e.idempotencyKey])).toEqual([
          ["re_x", `refund:${ORDER}:stripe:re_x`],
        ])
        expect((yield* auditTrail).map((r) => [r.actor, r.action])).toEqual([
          ["stripe", "order.refund_reported"],
        ])
      }),
    ))

  it("is idempotent: a redelivered or cumulative event records each refund once", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        yield* recordProviderRefund(chargeRefunded("evt_1", [["re_x", 500]]))
        const again = yield* recordProviderRefund(chargeRefunded("evt_1", [["re_x", 500]]))
        expect(again.payment.amountRefunded).toBe(500)
        const cumulative = yield* recordProviderRefund(
          chargeRefunded("evt_2", [
            ["re_x", 500],
            ["re_y", 2500],
          ]),
        )
        expect(cumulative).toMatchObject({ status: "refunded", payment: { amountRefunded: 3000 } })
        expect((yield* orderOf(ORDER)).refunds).toHaveLength(2)
        expect(yield* refundLedger).toHaveLength(2)
      }),
    ))

  it("skips refunds this service made itself", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        const made = yield* refundOrder({ orderId: ORDER, actor: "alice", amount: 1000 })
        expect(made.gatewayRefundId).toBe("re_sandbox_000001")
        const order = yield* recordProviderRefund(chargeRefunded("evt_1", [["re_sandbox_000001", 1000]]))
        expect(order.refunds).toHaveLength(1)
        expect(order.payment.amountRefunded).toBe(1000)
        expect(yield* refundLedger).toHaveLength(1)
      }),
    ))

  it("asks for a redelivery while an admin refund of that amount awaits its gateway id", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        const sandbox = yield* SandboxControl
        yield* sandbox.setFailing(true)
        yield* Effect.either(
          refundOrder({ orderId: ORDER, actor: "alice", amount: 1000, requestId: "req-a" }),
        )
        yield* sandbox.setFailing(false)
        const result = yield* Effect.flip(recordProviderRefund(chargeRefunded("evt_1", [["re_z", 1000]])))
        expect(result._tag).toBe("WriteConflict")
        expect((yield* orderOf(ORDER)).payment.amountRefunded).toBe(1000)
        expect(yield* refundLedger).toHaveLength(0)
      }),
    ))

  it("reports an unknown payment intent", () =>
    run(
      Effect.gen(function* () {
        const result = yield* Effect.flip(recordProviderRefund(chargeRefunded("evt_1", [["re_x", 500]])))
        expect(result).toMatchObject({ _tag: "OrderNotFound", key: INTENT })
      }),
    ))

  it("refuses a refund in another currency", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        const result = yield* Effect.flip(
          recordProviderRefund(chargeRefunded("evt_1", [["re_x", 500]], "USD")),
        )
        expect(result._tag).toBe("CurrencyMismatch")
        expect((yield* orderOf(ORDER)).refunds).toHaveLength(0)
      }),
    ))
})
