import { StripeClient, StripeEventPayload } from "@settle/adapters"
import {
  money,
  OrderId,
  PaymentIntentId,
  PaymentSucceeded,
  SessionId,
  StripeEventId,
  Unrecognized,
} from "@settle/domain"
import { Effect, Either, Option } from "effect"
import { describe, expect, it } from "vitest"
import { loadConfig } from "../src/config/index.js"
import {
  checkout,
  deliver,
  errorOf,
  inboxRecord,
  metric,
  onServer,
  PinoLoggerFor,
  postJson,
  readOrder,
  sandboxControl,
  sessionOf,
  signed,
  signRaw,
  startFailingStoreServer,
  startTestServer,
  WEBHOOK_SECRET,
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

  it("acknowledges a verified payload it cannot decode with 200, stored `error` with the reason and counted", async () => {
    const lines: Array<string> = []
    const server = await startTestServer({ logger: PinoLoggerFor(lines) })
    const raw = JSON.stringify({
      id: "evt_bad_1",
      object: "event",
      type: "checkout.session.completed",
      data: { object: {} },
    })
    const good = await signRaw(server, raw)
    const answer = await postJson(`${server.url}/api/v1/webhooks/stripe`, raw, { "Stripe-Signature": good })
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ eventId: "evt_bad_1", outcome: { status: "undecodable" } })
    const record = Option.getOrThrow(await inboxRecord(server, "evt_bad_1"))
    expect(record).toMatchObject({ status: "error", type: "checkout.session.completed" })
    expect(record.lastError).toMatch(/^undecodable: data\.object\./)
    expect(
      await metric(server, 'webhook_events_total{status="error",type="checkout.session.completed"}'),
    ).toBe(1)
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(logged).toContainEqual(
      expect.objectContaining({
        stripeEventId: "evt_bad_1",
        msg: expect.stringMatching(
          /^\[stripe\.webhook\] checkout\.session\.completed evt_bad_1: undecodable \(data\.object\..+\); acknowledged$/,
        ),
      }),
    )
  })

  it("acknowledges a signed event nested 3,000 levels deep without overflowing: stored `error`", async () => {
    const server = await startTestServer()
    const deep = `${"[".repeat(3000)}${"]".repeat(3000)}`
    const raw = `{"id":"evt_deep_1","object":"event","type":"checkout.session.completed","data":{"object":{"metadata":${deep}}}}`
    const answer = await postJson(`${server.url}/api/v1/webhooks/stripe`, raw, {
      "Stripe-Signature": await signRaw(server, raw),
    })
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ outcome: { status: "undecodable" } })
    const record = Option.getOrThrow(await inboxRecord(server, "evt_deep_1"))
    expect(record.status).toBe("error")
    expect(record.lastError).toContain("deeper than 64 levels")
  })

  it("acknowledges signed bytes that are not JSON under an id made from them, the same on redelivery", async () => {
    const server = await startTestServer()
    const raw = "{not json"
    const header = await signRaw(server, raw)
    const first = await postJson(`${server.url}/api/v1/webhooks/stripe`, raw, { "Stripe-Signature": header })
    const again = await postJson(`${server.url}/api/v1/webhooks/stripe`, raw, { "Stripe-Signature": header })
    expect([first.status, again.status]).toEqual([200, 200])
    const eventId = (first.body as { eventId: string }).eventId
    expect(eventId).toMatch(/^evt_undecodable_[0-9a-f]{32}$/)
    expect((again.body as { eventId: string }).eventId).toBe(eventId)
    expect(Option.getOrThrow(await inboxRecord(server, eventId))).toMatchObject({
      status: "error",
      attempts: 2,
    })
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

  it("acknowledges an event for a missing order as orphaned once the window from its `created` has passed", async () => {
    const lines: Array<string> = []
    const server = await startTestServer({ logger: PinoLoggerFor(lines) })
    const event = PaymentSucceeded.make({
      eventId: StripeEventId.make("evt_orphan_1"),
      type: "checkout.session.completed",
      sessionId: SessionId.make("cs_elsewhere"),
      orderId: OrderId.make("ord_missing"),
      paymentIntentId: PaymentIntentId.make("pi_elsewhere"),
      amount: money(100, "EUR"),
    })
    const stripe = Option.getOrThrow(await onServer(server, Effect.serviceOption(StripeClient.StripeClient)))
    // Created 61 minutes ago (past the default hour), signed now as Stripe signs each redelivery.
    const created = new Date(Date.now() - 61 * 60_000)
    const { payload, header } = StripeEventPayload.signedDelivery(
      stripe,
      event,
      WEBHOOK_SECRET,
      created,
      new Date(),
    )
    const answer = await postJson(`${server.url}/api/v1/webhooks/stripe`, payload, {
      "Stripe-Signature": header,
      "X-Request-Id": "wh-orphan-1",
    })
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ outcome: { status: "orphaned", key: "ord_missing" } })
    const record = Option.getOrThrow(await inboxRecord(server, "evt_orphan_1"))
    expect(record.status).toBe("error")
    expect(record.lastError).toMatch(/^orphaned: no order ord_missing/)
    expect(
      await metric(server, 'webhook_events_total{status="orphaned",type="checkout.session.completed"}'),
    ).toBe(1)
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(logged).toContainEqual(
      expect.objectContaining({
        stripeEventId: "evt_orphan_1",
        // Logged inside the use-case, which runs under the request's annotation.
        requestId: "wh-orphan-1",
        msg: "[stripe.webhook] checkout.session.completed evt_orphan_1: orphaned (no order ord_missing); acknowledged",
      }),
    )
  })

  it("WEBHOOK_ORPHAN_WINDOW_SECONDS sets the window: inside it 503, past it 200 orphaned", async () => {
    const config = Either.getOrThrow(loadConfig({ WEBHOOK_ORPHAN_WINDOW_SECONDS: "600" }))
    const server = await startTestServer({ webhookOrphanWindowMs: config.webhookOrphanWindowMs })
    const stripe = Option.getOrThrow(await onServer(server, Effect.serviceOption(StripeClient.StripeClient)))
    const deliverCreated = (id: string, minutesAgo: number) => {
      const event = PaymentSucceeded.make({
        eventId: StripeEventId.make(id),
        type: "checkout.session.completed",
        sessionId: SessionId.make("cs_elsewhere"),
        orderId: OrderId.make("ord_missing"),
        paymentIntentId: PaymentIntentId.make("pi_elsewhere"),
        amount: money(100, "EUR"),
      })
      const created = new Date(Date.now() - minutesAgo * 60_000)
      const { payload, header } = StripeEventPayload.signedDelivery(
        stripe,
        event,
        WEBHOOK_SECRET,
        created,
        new Date(),
      )
      return postJson(`${server.url}/api/v1/webhooks/stripe`, payload, { "Stripe-Signature": header })
    }
    // 9 minutes: inside the 10-minute window, the order may still appear.
    const inside = await deliverCreated("evt_window_in", 9)
    expect(inside.status).toBe(503)
    expect(errorOf(inside).code).toBe("ORDER_NOT_FOUND")
    // 11 minutes: past the configured window, though well inside the default hour.
    const past = await deliverCreated("evt_window_out", 11)
    expect(past.status).toBe(200)
    expect(past.body).toMatchObject({ outcome: { status: "orphaned", key: "ord_missing" } })
  })

  it("answers 503 on a store failure, and the retry finalizes and counts as a retry", async () => {
    const { server, failAt } = await startFailingStoreServer()
    const placed = await checkout(server)
    const event = await server.runtime.runPromise((await sandboxControl(server)).pay(sessionOf(placed)))
    failAt(2) // the inbox records the delivery (call 1), then pending → paid fails
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
