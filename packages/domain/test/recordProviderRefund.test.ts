import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import { ChargeRefunded, money, PaymentIntentId, RefundId, StripeEventId } from "../src/index.js"
import { recordProviderRefund, refundOrder } from "../src/usecases/refundOrder.js"
import { aConfirmedOrder, T0 } from "./support/fixtures.js"
import { makeWorld } from "./support/world.js"

const setup = () => {
  const world = makeWorld(T0)
  world.state.orders.set("ord_1", aConfirmedOrder("ord_1"))
  return world
}

const chargeRefunded = (
  eventId: string,
  refunds: ReadonlyArray<readonly [string, number]>,
  currency = "EUR",
) =>
  ChargeRefunded.make({
    eventId: StripeEventId.make(eventId),
    type: "charge.refunded",
    paymentIntentId: PaymentIntentId.make("pi_ord_1"),
    refunds: refunds.map(([id, amount]) => ({
      refundId: RefundId.make(id),
      amount: money(amount, currency),
    })),
  })

describe("recordProviderRefund", () => {
  it("records a refund made in the Stripe dashboard, with its ledger entry", async () => {
    const world = setup()
    const order = Either.getOrThrow(
      await world.run(recordProviderRefund(chargeRefunded("evt_1", [["re_x", 500]]))),
    )
    expect(order.status).toBe("partially_refunded")
    expect(order.payment.amountRefunded).toBe(500)
    expect(order.refunds).toMatchObject([
      { id: "refund:ord_1:stripe:re_x", gatewayRefundId: "re_x", amount: 500 },
    ])
    expect(world.state.ledger.map((e) => [e.externalId, e.idempotencyKey])).toEqual([
      ["re_x", "refund:ord_1:stripe:re_x"],
    ])
    expect(world.state.audit.map((r) => [r.actor, r.action])).toEqual([["stripe", "order.refund_reported"]])
  })

  it("is idempotent: a redelivered or cumulative event records each refund once", async () => {
    const world = setup()
    await world.run(recordProviderRefund(chargeRefunded("evt_1", [["re_x", 500]])))
    const again = await world.run(recordProviderRefund(chargeRefunded("evt_1", [["re_x", 500]])))
    expect(Either.getOrThrow(again).payment.amountRefunded).toBe(500)
    const cumulative = await world.run(
      recordProviderRefund(
        chargeRefunded("evt_2", [
          ["re_x", 500],
          ["re_y", 2500],
        ]),
      ),
    )
    expect(Either.getOrThrow(cumulative)).toMatchObject({
      status: "refunded",
      payment: { amountRefunded: 3000 },
    })
    expect(world.order("ord_1").refunds).toHaveLength(2)
    expect(world.state.ledger).toHaveLength(2)
  })

  it("skips refunds this service made itself", async () => {
    const world = setup()
    await world.run(refundOrder({ orderId: "ord_1", actor: "alice", amount: 1000 }))
    const order = Either.getOrThrow(
      await world.run(recordProviderRefund(chargeRefunded("evt_1", [["re_1", 1000]]))),
    )
    expect(order.refunds).toHaveLength(1)
    expect(order.payment.amountRefunded).toBe(1000)
    expect(world.state.ledger).toHaveLength(1)
  })

  it("asks for a redelivery while an admin refund of that amount awaits its gateway id", async () => {
    const world = setup()
    world.state.gatewayFailures = 1
    await world.run(refundOrder({ orderId: "ord_1", actor: "alice", amount: 1000, requestId: "req-a" }))
    const result = await world.run(
      Effect.flip(recordProviderRefund(chargeRefunded("evt_1", [["re_z", 1000]]))),
    )
    expect(Either.getOrThrow(result)._tag).toBe("WriteConflict")
    expect(world.order("ord_1").payment.amountRefunded).toBe(1000)
    expect(world.state.ledger).toHaveLength(0)
  })

  it("reports an unknown payment intent", async () => {
    const world = makeWorld(T0)
    const result = await world.run(
      Effect.flip(recordProviderRefund(chargeRefunded("evt_1", [["re_x", 500]]))),
    )
    expect(Either.getOrThrow(result)).toMatchObject({ _tag: "OrderNotFound", key: "pi_ord_1" })
  })

  it("refuses a refund in another currency", async () => {
    const world = setup()
    const result = await world.run(
      Effect.flip(recordProviderRefund(chargeRefunded("evt_1", [["re_x", 500]], "USD"))),
    )
    expect(Either.getOrThrow(result)._tag).toBe("CurrencyMismatch")
    expect(world.order("ord_1").refunds).toHaveLength(0)
  })
})
