import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { call, metric, webhookSeries } from "./support/http.js"
import { type ServerProcess, startServerProcess } from "./support/serverProcess.js"
import { cartOf, checkout, createProduct, orderOf, SECRETS, stockOf } from "./support/shop.js"
import { completed, deliver, expired, post, signed } from "./support/stripeEvents.js"

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess(SECRETS)
})
afterAll(async () => {
  expect(await server.stop()).toBe(0)
})

const outcomeOf = (body: unknown) => (body as { outcome: { status: string; detail?: string } }).outcome

describe("payment finalization on the server process", () => {
  it("checkout → sandbox pay URL → the order reads confirmed and its stock is committed", async () => {
    const product = await createProduct(server.baseUrl, 10)
    const placed = await checkout(server.baseUrl, cartOf(product, 3))
    expect(await stockOf(server.baseUrl, product)).toEqual({ available: 7, reserved: 3, committed: 0 })
    const paid = await call(`${placed.paymentUrl}/pay`, { method: "POST" })
    expect(paid.status).toBe(200)
    const order = await orderOf(server.baseUrl, placed)
    expect(order).toMatchObject({
      status: "confirmed",
      payment: { amountReceived: placed.order.totals.total },
    })
    expect(order.confirmedAt).not.toBeNull()
    expect(await stockOf(server.baseUrl, product)).toEqual({ available: 7, reserved: 0, committed: 3 })
  })

  it("confirms on a signed checkout.session.completed; the same event again is a counted duplicate", async () => {
    const product = await createProduct(server.baseUrl, 5)
    const placed = await checkout(server.baseUrl, cartOf(product, 2))
    const event = completed(placed)
    const duplicatesBefore = await metric(server.baseUrl, webhookSeries("duplicate"))
    const first = await deliver(server.baseUrl, event)
    expect([first.status, outcomeOf(first.body).status]).toEqual([200, "processed"])
    const confirmed = await orderOf(server.baseUrl, placed)
    expect(confirmed.status).toBe("confirmed")
    const again = await deliver(server.baseUrl, event)
    expect([again.status, outcomeOf(again.body).status]).toEqual([200, "duplicate"])
    expect(await metric(server.baseUrl, webhookSeries("duplicate"))).toBe(duplicatesBefore + 1)
    expect(await orderOf(server.baseUrl, placed)).toEqual(confirmed)
    expect(await stockOf(server.baseUrl, product)).toEqual({ available: 3, reserved: 0, committed: 2 })
  })

  it("finalizes once under 10 concurrent deliveries of one fresh event", async () => {
    const product = await createProduct(server.baseUrl, 5)
    const placed = await checkout(server.baseUrl, cartOf(product, 1))
    const delivery = signed(completed(placed))
    const processedBefore = await metric(server.baseUrl, webhookSeries("processed"))
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(server.baseUrl, delivery)))
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200))
    const outcomes = answers.map((answer) => outcomeOf(answer.body).status)
    expect(outcomes.filter((status) => status === "processed")).toHaveLength(1)
    expect(await metric(server.baseUrl, webhookSeries("processed"))).toBe(processedBefore + 1)
    expect(await orderOf(server.baseUrl, placed)).toMatchObject({ status: "confirmed" })
    expect(await stockOf(server.baseUrl, product)).toEqual({ available: 4, reserved: 0, committed: 1 })
  })
})

describe("events out of order", () => {
  it("ignores checkout.session.expired after completed: the order stays confirmed", async () => {
    const product = await createProduct(server.baseUrl, 5)
    const placed = await checkout(server.baseUrl, cartOf(product, 2))
    expect((await deliver(server.baseUrl, completed(placed))).status).toBe(200)
    const confirmed = await orderOf(server.baseUrl, placed)
    const late = await deliver(server.baseUrl, expired(placed))
    expect([late.status, outcomeOf(late.body)]).toEqual([
      200,
      { status: "processed", detail: "ignored_in_confirmed", orderId: placed.order.id },
    ])
    expect(await orderOf(server.baseUrl, placed)).toEqual(confirmed)
    expect(await stockOf(server.baseUrl, product)).toEqual({ available: 3, reserved: 0, committed: 2 })
  })

  it("honours completed after a local expiry while the stock can be held again", async () => {
    const product = await createProduct(server.baseUrl, 5)
    const placed = await checkout(server.baseUrl, cartOf(product, 2))
    expect((await deliver(server.baseUrl, expired(placed))).status).toBe(200)
    expect(await orderOf(server.baseUrl, placed)).toMatchObject({ status: "expired" })
    expect(await stockOf(server.baseUrl, product)).toEqual({ available: 5, reserved: 0, committed: 0 })
    const paid = await deliver(server.baseUrl, completed(placed))
    expect([paid.status, outcomeOf(paid.body).status]).toEqual([200, "processed"])
    expect(await orderOf(server.baseUrl, placed)).toMatchObject({ status: "confirmed" })
    expect(await stockOf(server.baseUrl, product)).toEqual({ available: 3, reserved: 0, committed: 2 })
  })

  it("sends completed after a local expiry to payment_review once its stock is sold", async () => {
    const product = await createProduct(server.baseUrl, 2)
    const placed = await checkout(server.baseUrl, cartOf(product, 2))
    expect((await deliver(server.baseUrl, expired(placed))).status).toBe(200)
    await checkout(server.baseUrl, cartOf(product, 2))
    const reviews = 'payment_review_total{reason="late_payment_capacity_gone"}'
    const reviewsBefore = await metric(server.baseUrl, reviews)
    const paid = await deliver(server.baseUrl, completed(placed))
    expect(paid.status).toBe(200)
    expect(await orderOf(server.baseUrl, placed)).toMatchObject({ status: "payment_review" })
    expect(await metric(server.baseUrl, reviews)).toBe(reviewsBefore + 1)
    // The other order keeps the units: nothing is oversold.
    expect(await stockOf(server.baseUrl, product)).toEqual({ available: 0, reserved: 2, committed: 0 })
  })
})
