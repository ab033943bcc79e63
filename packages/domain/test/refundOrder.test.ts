import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import { refundOrder } from "../src/usecases/refundOrder.js"
import { aConfirmedOrder, MUG, PLATE, T0 } from "./support/fixtures.js"
import { makeWorld } from "./support/world.js"

const setup = () => {
  const world = makeWorld(T0)
  world.state.orders.set("ord_1", aConfirmedOrder("ord_1"))
  world.state.stock.set(MUG, { available: 0, reserved: 0, committed: 2 })
  world.state.stock.set(PLATE, { available: 5, reserved: 0, committed: 1 })
  return world
}

const request = (extra: Record<string, unknown> = {}) => ({ orderId: "ord_1", actor: "alice@shop", ...extra })

describe("refundOrder", () => {
  it("refunds part, then everything still refundable", async () => {
    const world = setup()
    const first = await world.run(
      refundOrder(request({ amount: 1000, reason: "damaged", requestId: "req-a" })),
    )
    expect(Either.getOrThrow(first)).toMatchObject({
      id: "refund:ord_1:req-a",
      amount: 1000,
      gatewayRefundId: "re_1",
    })
    expect(world.order("ord_1").status).toBe("partially_refunded")
    expect(world.order("ord_1").payment.amountRefunded).toBe(1000)

    const rest = await world.run(refundOrder(request()))
    expect(Either.getOrThrow(rest)).toMatchObject({
      id: "refund:ord_1:2",
      amount: 2000,
      gatewayRefundId: "re_2",
    })
    expect(world.order("ord_1").status).toBe("refunded")
    expect(world.order("ord_1").payment.amountRefunded).toBe(3000)

    expect(
      world.state.gatewayCalls.map((c) => [c.idempotencyKey, c.amount.amount, c.paymentIntentId]),
    ).toEqual([
      ["refund:ord_1:req-a", 1000, "pi_ord_1"],
      ["refund:ord_1:2", 2000, "pi_ord_1"],
    ])
    expect(world.state.ledger.map((e) => [e.kind, e.externalId, e.idempotencyKey, e.amount.amount])).toEqual([
      ["refund", "re_1", "refund:ord_1:req-a", 1000],
      ["refund", "re_2", "refund:ord_1:2", 2000],
    ])
    expect(world.count("refund:success")).toBe(2)
  })

  it("writes an audit record with before and after for each refund", async () => {
    const world = setup()
    await world.run(refundOrder(request({ amount: 1000, reason: "damaged" })))
    await world.run(refundOrder(request()))
    expect(world.state.audit.map((r) => [r.action, r.actor, r.orderId, r.reason])).toEqual([
      ["order.refund", "alice@shop", "ord_1", "damaged"],
      ["order.refund", "alice@shop", "ord_1", null],
    ])
    expect(world.state.audit[0]?.before).toEqual({ status: "confirmed", amountRefunded: 0 })
    expect(world.state.audit[1]?.after).toMatchObject({ status: "refunded", amountRefunded: 3000 })
  })

  it("refuses a refund above what is still refundable and changes nothing", async () => {
    const world = setup()
    const untouched = world.order("ord_1")
    const tooMuch = await world.run(Effect.flip(refundOrder(request({ amount: 3001 }))))
    expect(Either.getOrThrow(tooMuch)).toMatchObject({
      _tag: "RefundExceedsCaptured",
      requested: 3001,
      refundable: 3000,
    })
    expect(world.order("ord_1")).toEqual(untouched)

    await world.run(refundOrder(request({ amount: 1000 })))
    const afterPartial = world.order("ord_1")
    const again = await world.run(Effect.flip(refundOrder(request({ amount: 2001 }))))
    expect(Either.getOrThrow(again)).toMatchObject({ _tag: "RefundExceedsCaptured", refundable: 2000 })
    expect(world.order("ord_1")).toEqual(afterPartial)
    expect(world.state.gatewayCalls).toHaveLength(1)
    expect(world.state.ledger).toHaveLength(1)
  })

  it("refunds once when the same request is repeated", async () => {
    const world = setup()
    const first = Either.getOrThrow(
      await world.run(refundOrder(request({ amount: 1000, requestId: "req-a" }))),
    )
    const second = Either.getOrThrow(
      await world.run(refundOrder(request({ amount: 1000, requestId: "req-a" }))),
    )
    expect(second).toEqual(first)
    expect(world.state.gatewayCalls).toHaveLength(1)
    expect(world.order("ord_1").payment.amountRefunded).toBe(1000)
    expect(world.state.ledger).toHaveLength(1)
  })

  it("refunds once when the same request arrives twice at the same time", async () => {
    const world = setup()
    const same = refundOrder(request({ amount: 1000, requestId: "req-a" }))
    const both = await world.run(Effect.all([same, same], { concurrency: "unbounded" }))
    expect(Either.getOrThrow(both).map((r) => r.id)).toEqual(["refund:ord_1:req-a", "refund:ord_1:req-a"])
    expect(world.state.gatewayCalls).toHaveLength(1)
    expect(world.order("ord_1").payment.amountRefunded).toBe(1000)
  })

  it("ends refunded when concurrent partial refunds together reach the captured amount", async () => {
    const world = setup()
    const both = await world.run(
      Effect.all(
        [
          refundOrder(request({ amount: 1000, requestId: "a" })),
          refundOrder(request({ amount: 2000, requestId: "b" })),
        ],
        { concurrency: "unbounded" },
      ),
    )
    expect(Either.isRight(both)).toBe(true)
    expect(world.order("ord_1").payment.amountRefunded).toBe(3000)
    expect(world.order("ord_1").status).toBe("refunded")
  })

  it("keeps the amount reserved when the gateway fails, and completes it on retry", async () => {
    const world = setup()
    world.state.gatewayFailures = 1
    const failed = await world.run(Effect.flip(refundOrder(request({ amount: 1000, requestId: "req-a" }))))
    expect(Either.getOrThrow(failed)._tag).toBe("PaymentGatewayError")
    expect(world.order("ord_1").refunds).toMatchObject([{ id: "refund:ord_1:req-a", gatewayRefundId: null }])
    expect(world.order("ord_1").payment.amountRefunded).toBe(1000)
    expect(world.count("refund:failure")).toBe(1)
    expect(world.state.audit.map((r) => r.action)).toEqual(["order.refund_failed"])
    expect(world.state.ledger).toHaveLength(0)

    const retried = await world.run(refundOrder(request({ amount: 1000, requestId: "req-a" })))
    expect(Either.getOrThrow(retried)).toMatchObject({ gatewayRefundId: "re_1", amount: 1000 })
    expect(world.order("ord_1").refunds).toMatchObject([
      { id: "refund:ord_1:req-a", gatewayRefundId: "re_1" },
    ])
    expect(world.order("ord_1").payment.amountRefunded).toBe(1000)
    expect(world.state.gatewayCalls.map((c) => c.idempotencyKey)).toEqual([
      "refund:ord_1:req-a",
      "refund:ord_1:req-a",
    ])
    expect(world.state.gatewayRefunds.size).toBe(1)
    expect(world.state.ledger).toHaveLength(1)
    expect(world.count("refund:success")).toBe(1)
    expect(world.state.audit.map((r) => r.action)).toEqual(["order.refund_failed", "order.refund"])
  })

  it("restocks every item when asked", async () => {
    const world = setup()
    await world.run(refundOrder(request({ restock: true })))
    expect(world.state.stock.get(MUG)).toEqual({ available: 2, reserved: 0, committed: 0 })
    expect(world.state.stock.get(PLATE)).toEqual({ available: 6, reserved: 0, committed: 0 })
  })

  it("does not restock unless asked", async () => {
    const world = setup()
    await world.run(refundOrder(request()))
    expect(world.state.stock.get(MUG)).toEqual({ available: 0, reserved: 0, committed: 2 })
  })

  it("restocks an order's goods once across several refunds", async () => {
    const world = setup()
    world.state.stock.set(MUG, { available: 0, reserved: 0, committed: 10 })
    await world.run(refundOrder(request({ amount: 1000, restock: true })))
    await world.run(refundOrder(request({ restock: true })))
    expect(world.state.stock.get(MUG)).toEqual({ available: 2, reserved: 0, committed: 8 })
  })

  it("refuses to refund an order that is not confirmed", async () => {
    const world = setup()
    const pending = aConfirmedOrder("ord_2", { status: "pending" })
    world.state.orders.set("ord_2", {
      ...pending,
      payment: { ...pending.payment, paymentIntentId: null, amountReceived: null },
    })
    const result = await world.run(
      Effect.flip(refundOrder({ orderId: "ord_2", actor: "alice", amount: 100 })),
    )
    expect(Either.getOrThrow(result)).toMatchObject({ _tag: "IllegalTransition", from: "pending" })
    expect(world.state.gatewayCalls).toHaveLength(0)
  })

  it("refuses a fully refunded order", async () => {
    const world = setup()
    await world.run(refundOrder(request()))
    const result = await world.run(Effect.flip(refundOrder(request({ amount: 1 }))))
    expect(Either.getOrThrow(result)).toMatchObject({ _tag: "IllegalTransition", from: "refunded" })
  })

  it("reports an unknown order", async () => {
    const world = setup()
    const result = await world.run(Effect.flip(refundOrder({ orderId: "ord_x", actor: "alice" })))
    expect(Either.getOrThrow(result)).toMatchObject({ _tag: "OrderNotFound", key: "ord_x" })
  })

  it.each([
    [{ amount: 0 }, "amount"],
    [{ amount: 10.5 }, "amount"],
    [{ requestId: "42" }, "requestId"],
    [{ restock: "yes" }, "restock"],
    [{ actor: " " }, "actor"],
  ])("names the field of bad input %j", async (bad, field) => {
    const world = setup()
    const result = await world.run(Effect.flip(refundOrder(request(bad))))
    expect(Either.getOrThrow(result)).toMatchObject({ _tag: "InvalidInput", field })
    expect(world.state.gatewayCalls).toHaveLength(0)
  })
})
