import { request } from "node:http"
import { describe, expect, it } from "vitest"
import { CART, call, checkout, errorOf, postJson, sandboxControl, startTestServer } from "./support/server.js"

describe("POST /api/v1/checkout", () => {
  it("opens a checkout: 201 with the public order, its access token once, and a local payment URL", async () => {
    const server = await startTestServer()
    const answer = await postJson(`${server.url}/api/v1/checkout`, { ...CART, couponCode: "WELCOME10" })
    expect(answer.status).toBe(201)
    const body = answer.body as Record<string, unknown> & { order: Record<string, unknown> }
    expect(body.order).toMatchObject({
      status: "pending",
      totals: {
        subtotal: { amount: 4800, currency: "EUR" },
        discount: { amount: 480, currency: "EUR" },
        total: { amount: 4320, currency: "EUR" },
      },
      couponCode: "WELCOME10",
    })
    expect(answer.headers.get("location")).toBe(`/api/v1/orders/${body.order.id}`)
    expect(body.accessToken).toEqual(expect.any(String))
    expect(body.paymentUrl).toMatch(new RegExp(`^${server.url}/sandbox/checkout/cs_`))
    // Internals never leave: no token inside the order, no holds, no hold epoch, no review reason.
    for (const hidden of [
      "accessToken",
      "holdEpoch",
      "holds",
      "reviewReason",
      "couponId",
      "webhook",
      "version",
    ]) {
      expect(body.order).not.toHaveProperty(hidden)
    }
  })

  it.each([
    ["a missing field", { items: CART.items, currency: "EUR" }, "email"],
    ["a bad quantity", { ...CART, items: [{ sku: "MUG", quantity: 0 }] }, "items.0.quantity"],
    ["a Mongo operator as sku", { ...CART, items: [{ sku: { $gt: "" }, quantity: 1 }] }, "items.0.sku"],
    ["a Mongo operator as coupon", { ...CART, couponCode: { $ne: null } }, "couponCode"],
    ["an unexpected key", { ...CART, $where: "1" }, "$where"],
    ["a JSON array", [CART], "(root)"],
  ])("refuses %s with 400 INVALID_INPUT naming the field", async (_, body, field) => {
    const server = await startTestServer()
    const answer = await postJson(`${server.url}/api/v1/checkout`, body)
    expect(answer.status).toBe(400)
    expect(answer.body).toEqual({
      error: { code: "INVALID_INPUT", message: expect.any(String), details: { field } },
    })
  })

  it("maps the cart's domain refusals to 4xx naming the field", async () => {
    const server = await startTestServer()
    const url = `${server.url}/api/v1/checkout`
    const unknownSku = await postJson(url, { ...CART, items: [{ sku: "NOPE", quantity: 1 }] })
    expect([unknownSku.status, errorOf(unknownSku).code, errorOf(unknownSku).details.field]).toEqual([
      422,
      "UNKNOWN_SKU",
      "items",
    ])
    const tooMany = await postJson(url, { ...CART, items: [{ sku: "GRINDER", quantity: 4 }] })
    expect([tooMany.status, errorOf(tooMany).code]).toEqual([409, "INSUFFICIENT_STOCK"])
    const unknownCoupon = await postJson(url, { ...CART, couponCode: "NOPE10" })
    expect([unknownCoupon.status, errorOf(unknownCoupon).code, errorOf(unknownCoupon).details.field]).toEqual(
      [422, "UNKNOWN_COUPON", "couponCode"],
    )
    const wrongCurrency = await postJson(url, { ...CART, currency: "USD" })
    expect([wrongCurrency.status, errorOf(wrongCurrency).code]).toEqual([422, "CURRENCY_MISMATCH"])
  })

  it("answers 409 COUPON_UNAVAILABLE once the coupon's redemptions are all held", async () => {
    const server = await startTestServer()
    await checkout(server, { ...CART, couponCode: "WELCOME10" })
    await checkout(server, { ...CART, couponCode: "WELCOME10" })
    const third = await postJson(`${server.url}/api/v1/checkout`, { ...CART, couponCode: "WELCOME10" })
    expect(third.status).toBe(409)
    expect(errorOf(third)).toMatchObject({ code: "COUPON_UNAVAILABLE", details: { reason: "exhausted" } })
  })

  it("answers 503 with Retry-After while the payment provider is down, and releases the stock", async () => {
    const server = await startTestServer()
    const control = await sandboxControl(server)
    await server.runtime.runPromise(control.setFailing(true))
    const answer = await postJson(`${server.url}/api/v1/checkout`, CART)
    expect(answer.status).toBe(503)
    expect(answer.headers.get("retry-after")).toBe("1")
    expect(errorOf(answer).code).toBe("PAYMENT_PROVIDER_UNAVAILABLE")
    await server.runtime.runPromise(control.setFailing(false))
    // All 20 units are available again: the failed checkout's hold was released.
    const all = await postJson(`${server.url}/api/v1/checkout`, {
      ...CART,
      items: [{ sku: "BEANS-1KG", quantity: 20 }],
    })
    expect(all.status).toBe(201)
  })
})

describe("request bodies", () => {
  it("accepts JSON only: 415 otherwise", async () => {
    const server = await startTestServer()
    const form = await call(`${server.url}/api/v1/checkout`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "items=1",
    })
    expect(form.status).toBe(415)
    expect(errorOf(form)).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE", details: { field: "body" } })
    const none = await call(`${server.url}/api/v1/checkout`, { method: "POST" })
    expect(none.status).toBe(415)
  })

  it("refuses invalid JSON and an empty body with 400 naming the body", async () => {
    const server = await startTestServer()
    for (const body of ['{"items": [', ""]) {
      const answer = await postJson(`${server.url}/api/v1/checkout`, body)
      expect(answer.status).toBe(400)
      expect(errorOf(answer)).toMatchObject({ code: "INVALID_INPUT", details: { field: "body" } })
    }
  })

  it("refuses a body over the limit with 413 PAYLOAD_TOO_LARGE, by Content-Length", async () => {
    const server = await startTestServer({ bodyLimitBytes: 1024 })
    const big = JSON.stringify({ ...CART, email: `${"a".repeat(2000)}@example.com` })
    const answer = await postJson(`${server.url}/api/v1/checkout`, big)
    expect(answer.status).toBe(413)
    expect(errorOf(answer)).toMatchObject({ code: "PAYLOAD_TOO_LARGE", details: { limit: 1024 } })
  })

  it("refuses a chunked body that grows over the limit with 413, without waiting for its end", async () => {
    const server = await startTestServer({ bodyLimitBytes: 1024 })
    const { port } = new URL(server.url)
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/api/v1/checkout",
          headers: { "Content-Type": "application/json" },
        },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on("error", reject)
      // Chunked (no Content-Length): only the bytes read can trip the limit. The request never ends.
      req.write(`{"email":"${"a".repeat(2048)}`)
    })
    expect(status).toBe(413)
  })
})
