import {
  money,
  OrderId,
  PaymentIntentId,
  PaymentSucceeded,
  SessionId,
  StripeEventId,
  Unrecognized,
} from "@settle/domain"
import { Option } from "effect"
import { describe, expect, it } from "vitest"
import {
  checkout,
  deliver,
  errorOf,
  inboxRecord,
  metric,
  postJson,
  readOrder,
  sandboxControl,
  sessionOf,
  signed,
  signRaw,
  startFailingStoreServer,
  startTestServer,
} from "./support/server.js"

const processed = 'webhook_events_total{status="processed",type="checkout.session.completed"}'
const duplicate = 'webhook_events_total{status="duplicate",type="checkout.session.completed"}'
const retried = 'webhook_events_total{status="retry",type="checkout.session.completed"}'

const statusOf = async (server: Parameters<typeof readOrder>[0], placed: Parameters<typeof readOrder>[1]) =>
  ((await readOrder(server, placed)).body as { order: { status: string } }).order.status

describe("POST /api/v1/webhooks/stripe", () => {
  it("verifies a signed checkout.session.completed and confirms the order: 200", async () => {
    const server = await startTestServer()
    const placed = await checkout(server)
    const event = await server.runtime.runPromise((await sandboxControl(server)).pay(sessionOf(placed)))
    const answer = await deliver(server, event)
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({
      received: true,
      eventId: event.eventId,
      outcome: { status: "processed", orderId: placed.order.id },
    })
    expect(await statusOf(server, placed)).toBe("confirmed")
  })

  it("refuses a bad signature with 400 and changes nothing", async () => {
    const server = await startTestServer()
    const placed = await checkout(server)
    const event = await server.runtime.runPromise((await sandboxControl(server)).pay(sessionOf(placed)))
    const forged = await deliver(server, event, "whsec_bm90LXRoZS1zZXJ2ZXJzLXNlY3JldA")
    expect(forged.status).toBe(400)
    expect(errorOf(forged).code).toBe("WEBHOOK_SIGNATURE_INVALID")
    const { payload, header } = await signed(server, event)
    const unsigned = await postJson(`${server.url}/api/v1/webhooks/stripe`, payload)
    expect(unsigned.status).toBe(400)
    // Tampered body under a valid header: the signature covers the exact bytes.
    const tampered = await postJson(`${server.url}/api/v1/webhooks/stripe`, `${payload} `, {
      "Stripe-Signature": header,
    })
    expect(tampered.status).toBe(400)
    expect(Option.isNone(await inboxRecord(server, event.eventId))).toBe(true)
    expect(await statusOf(server, placed)).toBe("pending")
  })

  it("acknowledges a duplicate with 200, counted once as processed and once as duplicate", async () => {
    const server = await startTestServer()
    const placed = await checkout(server)
    const event = await server.runtime.runPromise((await sandboxControl(server)).pay(sessionOf(placed)))
    const first = await deliver(server, event)
    const second = await deliver(server, event)
    expect([first.status, second.status]).toEqual([200, 200])
    expect(second.body).toMatchObject({ outcome: { status: "duplicate" } })
    expect(await metric(server, processed)).toBe(1)
    expect(await metric(server, duplicate)).toBe(1)
    expect(await statusOf(server, placed)).toBe("confirmed")
  })

  it("acknowledges a type it does not act on with 200", async () => {
    const server = await startTestServer()
    const event = Unrecognized.make({ eventId: StripeEventId.make("evt_other_1"), type: "customer.created" })
    const answer = await deliver(server, event)
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ outcome: { status: "processed", detail: "unrecognized_type" } })
  })

  it("acknowledges an amount mismatch with 200 and parks the order in payment_review", async () => {
    const server = await startTestServer()
    const placed = await checkout(server)
    const control = await sandboxControl(server)
    const event = await server.runtime.runPromise(control.pay(sessionOf(placed), { amount: 1 }))
    const answer = await deliver(server, event)
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ outcome: { status: "amount_mismatch", orderId: placed.order.id } })
    expect(await statusOf(server, placed)).toBe("payment_review")
  })

  it("answers 400 for a verified payload that is not a Stripe event, and records nothing", async () => {
    const server = await startTestServer()
    const raw = JSON.stringify({
      id: "evt_bad_1",
      object: "event",
      type: "checkout.session.completed",
      data: { object: {} },
    })
    const good = await signRaw(server, raw)
    const answer = await postJson(`${server.url}/api/v1/webhooks/stripe`, raw, { "Stripe-Signature": good })
    expect(answer.status).toBe(400)
    expect(errorOf(answer)).toMatchObject({ code: "INVALID_INPUT", details: { field: expect.any(String) } })
    expect(Option.isNone(await inboxRecord(server, "evt_bad_1"))).toBe(true)
  })

  it("answers 503 when the event names one of our orders that cannot be found, so Stripe retries", async () => {
    const server = await startTestServer()
    const event = PaymentSucceeded.make({
      eventId: StripeEventId.make("evt_lost_1"),
      type: "checkout.session.completed",
      sessionId: SessionId.make("cs_elsewhere"),
      orderId: OrderId.make("ord_missing"),
      paymentIntentId: PaymentIntentId.make("pi_elsewhere"),
      amount: money(100, "EUR"),
    })
    const answer = await deliver(server, event)
    expect(answer.status).toBe(503)
    expect(errorOf(answer).code).toBe("ORDER_NOT_FOUND")
  })

  it("answers 503 on a store failure, and the retry finalizes and counts as a retry", async () => {
    const { server, failAt } = await startFailingStoreServer()
    const placed = await checkout(server)
    const event = await server.runtime.runPromise((await sandboxControl(server)).pay(sessionOf(placed)))
    failAt(2) // the inbox records the delivery (call 1), then the order lookup fails
    const failed = await deliver(server, event)
    expect(failed.status).toBe(503)
    expect(errorOf(failed).code).toBe("STORE_UNAVAILABLE")
    expect(failed.headers.get("retry-after")).toBe("1")
    failAt(null)
    const retry = await deliver(server, event)
    expect(retry.status).toBe(200)
    expect(await metric(server, retried)).toBe(1)
    expect(await statusOf(server, placed)).toBe("confirmed")
  })
})
