import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Answer, errorOf, metric, postJson, webhookSeries } from "./support/http.js"
import { type ServerProcess, startServerProcess } from "./support/serverProcess.js"
import { cartOf, checkout, createProduct, orderOf, type Placed, SECRETS, stockOf } from "./support/shop.js"
import { completed, deliver, post, signed, signRaw } from "./support/stripeEvents.js"

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess(SECRETS)
})
afterAll(async () => {
  expect(await server.stop()).toBe(0)
})

const webhook = () => `${server.baseUrl}/api/v1/webhooks/stripe`
const outcomeOf = (answer: Answer) => (answer.body as { outcome: { status: string } }).outcome.status

const expectRefused = (answer: Answer) => {
  expect(answer.status).toBe(400)
  expect(errorOf(answer)).toEqual(
    expect.objectContaining({ code: "WEBHOOK_SIGNATURE_INVALID", message: expect.any(String) }),
  )
}

const pendingOrder = async (): Promise<Placed> => {
  const product = await createProduct(server.baseUrl, 5)
  return checkout(server.baseUrl, cartOf(product, 1))
}

describe("webhook deliveries that must not be trusted", () => {
  it("refuses a bad signature with 400 and changes nothing: the same event id, correctly signed, still processes", async () => {
    const placed = await pendingOrder()
    const event = completed(placed)
    const received = await metric(server.baseUrl, webhookSeries("received"))
    expectRefused(
      await post(server.baseUrl, signed(event, new Date(), "whsec_bm90LXRoZS1lbmRwb2ludC1zZWNyZXQ")),
    )
    expectRefused(await postJson(webhook(), signed(event).payload))
    expect(await metric(server.baseUrl, webhookSeries("received"))).toBe(received)
    expect(await orderOf(server.baseUrl, placed)).toMatchObject({ status: "pending" })
    const genuine = await deliver(server.baseUrl, event)
    expect([genuine.status, outcomeOf(genuine)]).toEqual([200, "processed"])
    expect(await orderOf(server.baseUrl, placed)).toMatchObject({ status: "confirmed" })
  })

  it("refuses a body changed after signing (one amount) with 400", async () => {
    const placed = await pendingOrder()
    const original = signed(completed(placed))
    const total = placed.order.totals.total.amount
    const tampered = original.payload.replace(`"amount_total": ${total}`, `"amount_total": ${total - 1}`)
    expect(tampered).not.toBe(original.payload)
    expectRefused(await postJson(webhook(), tampered, { "Stripe-Signature": original.header }))
    expect(await orderOf(server.baseUrl, placed)).toMatchObject({ status: "pending" })
  })

  it("refuses a signature older than Stripe's five-minute tolerance with 400", async () => {
    const placed = await pendingOrder()
    const stale = signed(completed(placed), new Date(Date.now() - 10 * 60_000))
    expectRefused(await post(server.baseUrl, stale))
    expect(await orderOf(server.baseUrl, placed)).toMatchObject({ status: "pending" })
  })

  it("acknowledges a verified payload that is not a Stripe event (200 undecodable): Stripe must not retry it", async () => {
    const raw = JSON.stringify({ id: "evt_e2e_shape", object: "event", type: "checkout.session.completed" })
    const answer = await postJson(webhook(), raw, { "Stripe-Signature": signRaw(raw) })
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ eventId: "evt_e2e_shape", outcome: { status: "undecodable" } })
    const again = await postJson(webhook(), raw, { "Stripe-Signature": signRaw(raw) })
    expect(again.status).toBe(200)
  })

  it("acknowledges a signed event nested 3,000 levels deep (200, no stack overflow)", async () => {
    const deep = `${'{"a":'.repeat(3000)}1${"}".repeat(3000)}`
    const raw = `{"id":"evt_e2e_deep","object":"event","type":"charge.refunded","data":{"object":${deep}}}`
    const answer = await postJson(webhook(), raw, { "Stripe-Signature": signRaw(raw) })
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ outcome: { status: "undecodable" } })
  })
})

describe("amount mismatch", () => {
  it("acknowledges 2xx, parks the order in payment_review, counts it, and never confirms it on redelivery", async () => {
    const product = await createProduct(server.baseUrl, 5)
    const placed = await checkout(server.baseUrl, cartOf(product, 2))
    const reviews = 'payment_review_total{reason="amount_mismatch"}'
    const [reviewsBefore, errorsBefore] = await Promise.all([
      metric(server.baseUrl, reviews),
      metric(server.baseUrl, webhookSeries("error")),
    ])
    const event = completed(placed, placed.order.totals.total.amount - 100)
    const answer = await deliver(server.baseUrl, event)
    expect(answer.status).toBeGreaterThanOrEqual(200)
    expect(answer.status).toBeLessThan(300)
    expect(outcomeOf(answer)).toBe("amount_mismatch")
    expect(await orderOf(server.baseUrl, placed)).toMatchObject({
      status: "payment_review",
      confirmedAt: null,
    })
    expect(await metric(server.baseUrl, reviews)).toBe(reviewsBefore + 1)
    expect(await metric(server.baseUrl, webhookSeries("error"))).toBe(errorsBefore + 1)

    const redelivered = await deliver(server.baseUrl, event)
    expect(redelivered.status).toBe(200)
    // A later event with the right amount does not release it either: a human decides.
    expect((await deliver(server.baseUrl, completed(placed))).status).toBe(200)
    expect(await orderOf(server.baseUrl, placed)).toMatchObject({
      status: "payment_review",
      confirmedAt: null,
    })
    expect((await stockOf(server.baseUrl, product)).committed).toBe(0)
  })
})
