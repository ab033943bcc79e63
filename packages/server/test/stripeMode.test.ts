import {
  money,
  OrderId,
  OrderRepository,
  PaymentIntentId,
  PaymentSucceeded,
  StripeEventId,
} from "@settle/domain"
import { Effect, Option } from "effect"
import { describe, expect, inject, it } from "vitest"
import { checkout, deliver, readOrder, startTestServer } from "./support/server.js"

const WEBHOOK_SECRET = "whsec_c3RyaXBlLW1vZGUtdGVzdHMtc2VjcmV0"

/** With Stripe keys: the Stripe gateway against stripe-mock (Stripe's own API mock, on loopback). */
describe("with STRIPE_SECRET_KEY", () => {
  it("opens the session at Stripe and finalizes on a webhook signed with the endpoint's secret", async () => {
    const server = await startTestServer({
      payments: {
        _tag: "Stripe",
        secretKey: "sk_test_settle",
        webhookSecret: WEBHOOK_SECRET,
        apiBaseUrl: inject("stripeMockUrl"),
      },
    })
    expect(server.sandbox).toBeNull()
    const placed = await checkout(server)
    expect(placed.paymentUrl).not.toContain("/sandbox/")
    const order = Option.getOrThrow(
      await server.runtime.runPromise(
        Effect.flatMap(OrderRepository, (orders) => orders.findById(OrderId.make(placed.order.id))),
      ),
    )
    const event = PaymentSucceeded.make({
      eventId: StripeEventId.make("evt_stripe_mode_1"),
      type: "checkout.session.completed",
      sessionId: order.payment.sessionId!,
      orderId: order.id,
      paymentIntentId: PaymentIntentId.make("pi_stripe_mode_1"),
      amount: money(order.totals.total, order.totals.currency),
    })
    expect((await deliver(server, event, "whsec_bm90LXRoZS1lbmRwb2ludHMtc2VjcmV0")).status).toBe(400)
    const answer = await deliver(server, event, WEBHOOK_SECRET)
    expect(answer.status).toBe(200)
    expect((await readOrder(server, placed)).body).toMatchObject({ order: { status: "confirmed" } })
  })
})
