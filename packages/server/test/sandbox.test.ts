import { StripeEventId, Unrecognized } from "@settle/domain"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { makeDeliver } from "../src/sandbox/delivery.js"
import { call, checkout, errorOf, metric, readOrder, startTestServer } from "./support/server.js"

const orderStatus = async (...args: Parameters<typeof readOrder>) =>
  ((await readOrder(...args)).body as { order: { status: string } }).order.status

describe("sandbox payments", () => {
  it("pays through the pay endpoint: a signed event goes over HTTP to the webhook and confirms the order", async () => {
    const server = await startTestServer()
    const placed = await checkout(server)
    const paid = await call(`${placed.paymentUrl}/pay`, { method: "POST" })
    expect(paid.status).toBe(200)
    expect(paid.body).toMatchObject({
      event: { type: "checkout.session.completed" },
      delivery: { status: 200, attempts: 1, response: { outcome: { status: "processed" } } },
      order: { id: placed.order.id, status: "confirmed" },
    })
    expect(await orderStatus(server, placed)).toBe("confirmed")
    // The real endpoint ran: its own request was timed, the event verified and counted.
    expect(
      await metric(
        server,
        'http_request_duration_seconds_count{method="POST",route="/api/v1/webhooks/stripe",status="200"}',
      ),
    ).toBe(1)
    expect(
      await metric(server, 'webhook_events_total{status="processed",type="checkout.session.completed"}'),
    ).toBe(1)
    const again = await call(`${placed.paymentUrl}/pay`, { method: "POST" })
    expect([again.status, errorOf(again).code]).toEqual([409, "SANDBOX_REFUSED"])
  })

  it("serves a pay page to a browser; its buttons redirect back to it with the outcome", async () => {
    const server = await startTestServer()
    const placed = await checkout(server)
    const page = await call(placed.paymentUrl, { headers: { Accept: "text/html" } })
    expect(page.status).toBe(200)
    expect(page.headers.get("content-type")).toMatch(/^text\/html/)
    expect(page.body as string).toContain(`action="/sandbox/checkout/`)
    expect(page.body as string).toContain("Pay 48.00 EUR")
    const pressed = await fetch(`${placed.paymentUrl}/pay`, {
      method: "POST",
      headers: { Accept: "text/html", "Content-Type": "application/x-www-form-urlencoded" },
      redirect: "manual",
    })
    expect(pressed.status).toBe(303)
    expect(pressed.headers.get("location")).toMatch(/\?done=pay$/)
    const after = await call(`${server.url}${pressed.headers.get("location")}`, {
      headers: { Accept: "text/html" },
    })
    expect(after.body as string).toContain("Paid.")
    expect(after.body as string).toContain("(confirmed)")
  })

  it("cancels through the expire endpoint: checkout.session.expired releases the order", async () => {
    const server = await startTestServer()
    const placed = await checkout(server)
    const expired = await call(`${placed.paymentUrl}/expire`, { method: "POST" })
    expect(expired.body).toMatchObject({
      event: { type: "checkout.session.expired" },
      order: { status: "expired" },
    })
    expect(await orderStatus(server, placed)).toBe("expired")
  })

  it("answers 404 for a session it never opened", async () => {
    const server = await startTestServer()
    const answer = await call(`${server.url}/sandbox/checkout/cs_unknown/pay`, { method: "POST" })
    expect([answer.status, errorOf(answer).code]).toEqual([404, "SANDBOX_SESSION_NOT_FOUND"])
    expect((await call(`${server.url}/sandbox/checkout/cs_unknown`)).status).toBe(404)
  })

  it("expires due sessions on its timer and delivers checkout.session.expired", async () => {
    const server = await startTestServer({ reservationTtlMs: 200, sandboxExpiryEveryMs: 50 })
    const placed = await checkout(server)
    await expect.poll(() => orderStatus(server, placed), { timeout: 5_000, interval: 50 }).toBe("expired")
  })

  it("has no sandbox routes with a real gateway configured", async () => {
    const server = await startTestServer({
      payments: {
        _tag: "Stripe",
        secretKey: "sk_test_123",
        webhookSecret: "whsec_x",
        apiBaseUrl: "http://127.0.0.1:9",
      },
    })
    expect(server.sandbox).toBeNull()
    expect((await call(`${server.url}/sandbox/checkout/cs_1`)).status).toBe(404)
  })

  it("reports a delivery the endpoint never answered, after retrying", async () => {
    const deliver = makeDeliver({
      sign: () => Effect.succeed({ payload: "{}", header: "t=1,v1=x" }),
      webhookUrl: () => "http://127.0.0.1:9/api/v1/webhooks/stripe",
    })
    const event = Unrecognized.make({ eventId: StripeEventId.make("evt_1"), type: "x.y" })
    const delivery = await Effect.runPromise(deliver(event))
    expect(delivery).toMatchObject({ delivered: false, status: null, attempts: 3 })
  })
})
