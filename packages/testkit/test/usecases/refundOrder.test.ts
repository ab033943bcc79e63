import { SandboxControl } from "@settle/adapters"
import { OrderId, refundOrder } from "@settle/domain"
import { Effect } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  auditTrail,
  checkout,
  confirmedOrder,
  gatewayRefunds,
  ledgerOf,
  MUG,
  metric,
  orderOf,
  PLATE,
  released,
  releasedBefore,
  run,
  runInterleaved,
  sandboxRefunds,
  stockOf,
} from "./support.js"

/** The confirmed order of `confirmedOrder()`: the first order of a fresh world. */
const ORDER = OrderId.make("ord_000001")
const INTENT = "pi_sandbox_000001"

const request = (extra: Record<string, unknown> = {}) => ({ orderId: ORDER, actor: "alice@shop", ...extra })

const refundLedger = ledgerOf(ORDER, "refund")

describe("refundOrder", () => {
  it("refunds part, then everything still refundable", () =>
    run(
      Effect.gen(function* () {
        const { id } = yield* confirmedOrder()
        const first = yield* refundOrder(request({ amount: 1000, reason: "damaged", requestId: "req-a" }))
        expect(first).toMatchObject({
          id: `refund:${ORDER}:req-a`,
          amount: 1000,
          gatewayRefundId: "re_sandbox_000001",
        })
        expect((yield* orderOf(id)).status).toBe("partially_refunded")
        expect((yield* orderOf(id)).payment.amountRefunded).toBe(1000)

        const rest = yield* refundOrder(request())
        expect(rest).toMatchObject({
          id: `refund:${ORDER}:2`,
          amount: 2000,
          gatewayRefundId: "re_sandbox_000002",
        })
        expect((yield* orderOf(id)).status).toBe("refunded")
        expect((yield* orderOf(id)).payment.amountRefunded).toBe(3000)

        expect(
          (yield* gatewayRefunds).map((c) => [c.idempotencyKey, c.amount.amount, c.paymentIntentId]),
        ).toEqual([
          [`refund:${ORDER}:req-a`, 1000, INTENT],
          [`refund:${ORDER}:2`, 2000, INTENT],
        ])
        expect(
          (yield* ledgerOf(id, "refund")).map((e) => [
            e.kind,
            e.externalId,
            e.idempotencyKey,
            e.amount.amount,
          ]),
        ).toEqual([
          ["refund", "re_sandbox_000001", `refund:${ORDER}:req-a`, 1000],
          ["refund", "re_sandbox_000002", `refund:${ORDER}:2`, 2000],
        ])
        expect(yield* metric("refund_operations_total", { status: "success" })).toBe(2)
      }),
    ))

  it("writes an audit record with before and after for each refund", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        yield* refundOrder(request({ amount: 1000, reason: "damaged" }))
        yield* refundOrder(request())
        const audit = yield* auditTrail
        expect(audit.map((r) => [r.action, r.actor, r.orderId, r.reason])).toEqual([
          ["order.refund", "alice@shop", ORDER, "damaged"],
          ["order.refund", "alice@shop", ORDER, null],
        ])
        expect(audit[0]?.before).toEqual({ status: "confirmed", amountRefunded: 0 })
        expect(audit[1]?.after).toMatchObject({ status: "refunded", amountRefunded: 3000 })
      }),
    ))

  it("refuses a refund above what is still refundable and changes nothing", () =>
    run(
      Effect.gen(function* () {
        const untouched = yield* confirmedOrder()
        const tooMuch = yield* Effect.flip(refundOrder(request({ amount: 3001 })))
        expect(tooMuch).toMatchObject({
          _tag: "RefundExceedsCaptured",
          requested: 3001,
          refundable: 3000,
          currency: "EUR",
        })
        expect(yield* orderOf(untouched.id)).toEqual(untouched)

        yield* refundOrder(request({ amount: 1000 }))
        const afterPartial = yield* orderOf(untouched.id)
        const again = yield* Effect.flip(refundOrder(request({ amount: 2001 })))
        expect(again).toMatchObject({ _tag: "RefundExceedsCaptured", refundable: 2000 })
        expect(yield* orderOf(untouched.id)).toEqual(afterPartial)
        expect(yield* gatewayRefunds).toHaveLength(1)
        expect(yield* refundLedger).toHaveLength(1)
      }),
    ))

  it("refunds once when the same request is repeated", () =>
    run(
      Effect.gen(function* () {
        const { id } = yield* confirmedOrder()
        const first = yield* refundOrder(request({ amount: 1000, requestId: "req-a" }))
        const second = yield* refundOrder(request({ amount: 1000, requestId: "req-a" }))
        expect(second).toEqual(first)
        expect(yield* gatewayRefunds).toHaveLength(1)
        expect((yield* orderOf(id)).payment.amountRefunded).toBe(1000)
        expect(yield* refundLedger).toHaveLength(1)
      }),
    ))

  it("refunds once when the same request arrives twice at the same time", async () => {
    let lockstep = 0
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const outcome = await runInterleaved(
          s,
          Effect.gen(function* () {
            const { id } = yield* confirmedOrder()
            const setupCalls = released(s).length
            const same = refundOrder(request({ amount: 1000, requestId: "req-a" }))
            const both = yield* Effect.all([same, same], { concurrency: "unbounded" })
            const race = released(s).slice(setupCalls)
            return {
              ids: both.map((r) => r.id),
              refunded: (yield* orderOf(id)).payment.amountRefunded,
              calls: yield* gatewayRefunds,
              taken: yield* sandboxRefunds,
              // Both requests read the order before either reserved the amount (what the old harness forced).
              lockstep: releasedBefore(race, "OrderRepository.findById", 2, "OrderRepository.appendRefund"),
            }
          }),
        )
        expect(outcome.ids).toEqual([`refund:${ORDER}:req-a`, `refund:${ORDER}:req-a`])
        expect(outcome.refunded).toBe(1000)
        expect(outcome.taken).toHaveLength(1)
        expect(new Set(outcome.calls.map((c) => c.idempotencyKey))).toEqual(
          new Set([`refund:${ORDER}:req-a`]),
        )
        if (outcome.lockstep) {
          lockstep++
          expect(outcome.calls).toHaveLength(1)
        }
      }),
      { numRuns: 60 },
    )
    expect(lockstep).toBeGreaterThan(0)
  })

  it("ends refunded when concurrent partial refunds together reach the captured amount", () =>
    fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const order = await runInterleaved(
          s,
          Effect.gen(function* () {
            const { id } = yield* confirmedOrder()
            yield* Effect.all(
              [
                refundOrder(request({ amount: 1000, requestId: "a" })),
                refundOrder(request({ amount: 2000, requestId: "b" })),
              ],
              { concurrency: "unbounded" },
            )
            return yield* orderOf(id)
          }),
        )
        expect(order.payment.amountRefunded).toBe(3000)
        expect(order.status).toBe("refunded")
      }),
      { numRuns: 60 },
    ))

  it("keeps the amount reserved when the gateway fails, and completes it on retry", () =>
    run(
      Effect.gen(function* () {
        const { id } = yield* confirmedOrder()
        const sandbox = yield* SandboxControl
        yield* sandbox.setFailing(true)
        const failed = yield* Effect.flip(refundOrder(request({ amount: 1000, requestId: "req-a" })))
        yield* sandbox.setFailing(false)
        expect(failed._tag).toBe("PaymentGatewayError")
        expect((yield* orderOf(id)).refunds).toMatchObject([
          { id: `refund:${ORDER}:req-a`, gatewayRefundId: null },
        ])
        expect((yield* orderOf(id)).payment.amountRefunded).toBe(1000)
        expect(yield* metric("refund_operations_total", { status: "failure" })).toBe(1)
        expect((yield* auditTrail).map((r) => r.action)).toEqual(["order.refund_failed"])
        expect(yield* refundLedger).toHaveLength(0)

        const retried = yield* refundOrder(request({ amount: 1000, requestId: "req-a" }))
        expect(retried).toMatchObject({ gatewayRefundId: "re_sandbox_000001", amount: 1000 })
        expect((yield* orderOf(id)).refunds).toMatchObject([
          { id: `refund:${ORDER}:req-a`, gatewayRefundId: "re_sandbox_000001" },
        ])
        expect((yield* orderOf(id)).payment.amountRefunded).toBe(1000)
        expect((yield* gatewayRefunds).map((c) => c.idempotencyKey)).toEqual([
          `refund:${ORDER}:req-a`,
          `refund:${ORDER}:req-a`,
        ])
        expect(yield* sandboxRefunds).toHaveLength(1)
        expect(yield* refundLedger).toHaveLength(1)
        expect(yield* metric("refund_operations_total", { status: "success" })).toBe(1)
        expect((yield* auditTrail).map((r) => r.action)).toEqual(["order.refund_failed", "order.refund"])
      }),
    ))

  it("completes a failed refund sent without a requestId when the same request is repeated", () =>
    run(
      Effect.gen(function* () {
        const { id } = yield* confirmedOrder()
        const sandbox = yield* SandboxControl
        yield* sandbox.setFailing(true)
        yield* Effect.flip(refundOrder(request({ amount: 1000 })))
        yield* sandbox.setFailing(false)
        const retried = yield* refundOrder(request({ amount: 1000 }))
        expect(retried.gatewayRefundId).not.toBeNull()
        const order = yield* orderOf(id)
        expect(order.refunds).toHaveLength(1)
        expect(order.payment.amountRefunded).toBe(1000)
        expect(yield* sandboxRefunds).toHaveLength(1)
        expect(yield* refundLedger).toHaveLength(1)
      }),
    ))

  it("restocks every item when asked", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        yield* refundOrder(request({ restock: true }))
        expect(yield* stockOf(MUG)).toEqual({ available: 2, reserved: 0, committed: 0 })
        expect(yield* stockOf(PLATE)).toEqual({ available: 6, reserved: 0, committed: 0 })
      }),
    ))

  it("does not restock unless asked", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        yield* refundOrder(request())
        expect(yield* stockOf(MUG)).toEqual({ available: 0, reserved: 0, committed: 2 })
      }),
    ))

  it("restocks an order's goods once across several refunds", () =>
    run(
      Effect.gen(function* () {
        // Eight mugs committed by earlier orders, two by this one: { 0, 0, 10 } once it is paid.
        yield* confirmedOrder({ available: 2, reserved: 0, committed: 8 })
        expect(yield* stockOf(MUG)).toEqual({ available: 0, reserved: 0, committed: 10 })
        yield* refundOrder(request({ amount: 1000, restock: true }))
        yield* refundOrder(request({ restock: true }))
        expect(yield* stockOf(MUG)).toEqual({ available: 2, reserved: 0, committed: 8 })
      }),
    ))

  it("refuses to refund an order that is not confirmed", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        const pending = yield* checkout([{ sku: "PLATE-1", quantity: 1 }])
        expect(pending.payment.paymentIntentId).toBeNull()
        const result = yield* Effect.flip(refundOrder({ orderId: pending.id, actor: "alice", amount: 100 }))
        expect(result).toMatchObject({ _tag: "IllegalTransition", from: "pending" })
        expect(yield* gatewayRefunds).toHaveLength(0)
      }),
    ))

  it("refuses a fully refunded order", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        yield* refundOrder(request())
        const result = yield* Effect.flip(refundOrder(request({ amount: 1 })))
        expect(result).toMatchObject({ _tag: "IllegalTransition", from: "refunded" })
      }),
    ))

  it("reports an unknown order", () =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        const result = yield* Effect.flip(refundOrder({ orderId: "ord_x", actor: "alice" }))
        expect(result).toMatchObject({ _tag: "OrderNotFound", key: "ord_x" })
      }),
    ))

  it.each([
    [{ amount: 0 }, "amount"],
    [{ amount: 10.5 }, "amount"],
    [{ requestId: "42" }, "requestId"],
    [{ restock: "yes" }, "restock"],
    [{ actor: " " }, "actor"],
  ])("names the field of bad input %j", (bad, field) =>
    run(
      Effect.gen(function* () {
        yield* confirmedOrder()
        const result = yield* Effect.flip(refundOrder(request(bad)))
        expect(result).toMatchObject({ _tag: "InvalidInput", field })
        expect(yield* gatewayRefunds).toHaveLength(0)
      }),
    ),
  )
})
