import {
  money,
  OrderId,
  PaymentGatewayError,
  PaymentIntentId,
  PaymentRefused,
  PaymentSucceeded,
  RequestIdReused,
  SessionId,
  StoreError,
  StripeEventId,
} from "@settle/domain"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { problemFor } from "../src/http/errors.js"
import { receiveStripeDelivery } from "../src/http/stripeDelivery.js"
import { failureOf } from "../src/ops/failures.js"
import { adminPost, confirmedOrder, storedOrder } from "./support/adminOrders.js"
import { errorOf, onServer, sandboxControl, signed, startTestServer } from "./support/server.js"

describe("errors that say whether to retry", () => {
  it("a refusal by the payment provider is 502 PAYMENT_PROVIDER_REFUSED with its code and no Retry-After", () => {
    const refused = problemFor(
      new PaymentRefused({
        operation: "refunds.create",
        code: "charge_already_refunded",
        status: 400,
        message: "Stripe refunds.create failed (invalid_request_error 400): already refunded",
      }),
    )
    expect(refused).toMatchObject({
      status: 502,
      code: "PAYMENT_PROVIDER_REFUSED",
      details: { providerCode: "charge_already_refunded", providerStatus: 400, operation: "refunds.create" },
    })
    expect(refused.headers["Retry-After"]).toBeUndefined()
    // The provider's message (which may quote the request) stays in the logs.
    expect(refused.message).not.toContain("already refunded")
  })

  it("an unavailable provider or store is 503 with Retry-After; a store refusal is 500 without it", () => {
    for (const error of [
      new PaymentGatewayError({ message: "timeout" }),
      new StoreError({ message: "down" }),
    ]) {
      const problem = problemFor(error)
      expect([problem.status, problem.headers["Retry-After"]]).toEqual([503, "1"])
    }
    const refused = problemFor(new StoreError({ message: "document too large", kind: "refused" }))
    expect(refused).toMatchObject({ status: 500, code: "STORE_REFUSED" })
    expect(refused.headers["Retry-After"]).toBeUndefined()
  })

  it("a refund requestId reused with other parameters is 422 REQUEST_ID_REUSED naming what differs", () => {
    expect(problemFor(new RequestIdReused({ requestId: "req-a", field: "amount" }))).toMatchObject({
      status: 422,
      code: "REQUEST_ID_REUSED",
      details: { field: "requestId", requestId: "req-a", differs: "amount" },
    })
  })
})

describe("the ops CLI on a refusal", () => {
  it("exits with PAYMENT_PROVIDER_REFUSED, Stripe's code and message, and says the amount is released", () => {
    const failure = failureOf(
      new PaymentRefused({
        operation: "refunds.create",
        code: "charge_already_refunded",
        status: 400,
        message: "Charge ch_1 has already been refunded.",
      }),
    )
    expect(failure).toMatchObject({ code: "PAYMENT_PROVIDER_REFUSED" })
    expect(failure.message).toBe(
      "Stripe refused refunds.create (charge_already_refunded): Charge ch_1 has already been refunded.; nothing moved and any amount reserved for it is released; repeating gets the same answer",
    )
  })
})

describe("admin refunds over HTTP", () => {
  it("a refund Stripe refuses answers 502 with Stripe's code and leaves the order refundable in full", async () => {
    const server = await startTestServer()
    const placed = await confirmedOrder(server)
    const url = `${server.url}/api/v1/admin/orders/${placed.order.id}/refunds`
    const intent =
      (await storedOrder(server, placed.order.id)).payment.paymentIntentId ?? PaymentIntentId.make("none")
    // Refunded in Stripe's dashboard first: Stripe has less left than Settle believes.
    await onServer(server, (await sandboxControl(server)).refundOutside(intent, money(1000, "EUR")))

    const refused = await adminPost(url, { reason: "damaged" })
    expect(refused.status).toBe(502)
    expect(refused.headers.get("retry-after")).toBeNull()
    expect(errorOf(refused)).toMatchObject({
      code: "PAYMENT_PROVIDER_REFUSED",
      details: { providerCode: "amount_too_large", operation: "refunds.create" },
    })
    const order = await storedOrder(server, placed.order.id)
    expect(order).toMatchObject({ status: "confirmed", refunds: [], payment: { amountRefunded: 0 } })

    const rest = await adminPost(url, { amount: order.payment.amountReceived! - 1000, reason: "damaged" })
    expect(rest.status).toBe(201)
  })

  it("a requestId reused with a different amount answers 422 REQUEST_ID_REUSED and refunds nothing more", async () => {
    const server = await startTestServer()
    const placed = await confirmedOrder(server)
    const url = `${server.url}/api/v1/admin/orders/${placed.order.id}/refunds`
    expect((await adminPost(url, { amount: 1000, reason: "damaged", requestId: "req-a" })).status).toBe(201)
    const reused = await adminPost(url, { amount: 1500, reason: "damaged", requestId: "req-a" })
    expect(reused.status).toBe(422)
    expect(errorOf(reused)).toMatchObject({
      code: "REQUEST_ID_REUSED",
      details: { field: "requestId", requestId: "req-a", differs: "amount" },
    })
    expect((await storedOrder(server, placed.order.id)).payment.amountRefunded).toBe(1000)
  })
})

describe("the orphan window", () => {
  const missing = (id: string) =>
    PaymentSucceeded.make({
      eventId: StripeEventId.make(id),
      type: "checkout.session.completed",
      sessionId: SessionId.make(`cs_${id}`),
      orderId: OrderId.make("ord_never"),
      paymentIntentId: PaymentIntentId.make(`pi_${id}`),
      amount: money(100, "EUR"),
    })

  it("is the delivery's option: a fresh event is orphaned at once with 0, retried within a day", async () => {
    const server = await startTestServer()
    const deliver = async (id: string, orphanWindowMs: number) => {
      const { payload, header } = await signed(server, missing(id))
      return server.runtime.runPromise(
        Effect.either(receiveStripeDelivery(Buffer.from(payload), header, { orphanWindowMs })),
      )
    }
    expect(await deliver("evt_window_0", 0)).toMatchObject({
      _tag: "Right",
      right: { outcome: { status: "orphaned", key: "ord_never" } },
    })
    expect(await deliver("evt_window_day", 86_400_000)).toMatchObject({
      _tag: "Left",
      left: { _tag: "OrderNotFound", key: "ord_never" },
    })
  })
})
