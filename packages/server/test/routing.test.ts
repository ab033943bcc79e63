import { describe, expect, it } from "vitest"
import { call, metric, startTestServer } from "./support/server.js"

describe("routing and the error shape", () => {
  it("answers an unknown route with a 404 in the one error shape", async () => {
    const server = await startTestServer()
    const answer = await call(`${server.url}/api/v1/nothing-here`)
    expect(answer.status).toBe(404)
    expect(answer.headers.get("content-type")).toMatch(/^application\/json/)
    expect(answer.body).toEqual({
      error: { code: "NOT_FOUND", message: "no route for GET /api/v1/nothing-here", details: {} },
    })
  })

  it("answers a known path with the wrong method 405, listing the allowed ones", async () => {
    const server = await startTestServer()
    const answer = await call(`${server.url}/api/v1/checkout`, { method: "GET" })
    expect(answer.status).toBe(405)
    expect(answer.headers.get("allow")).toBe("POST")
    expect(answer.body).toEqual({
      error: {
        code: "METHOD_NOT_ALLOWED",
        message: "GET is not allowed here",
        details: { allowed: ["POST"] },
      },
    })
  })
})

describe("Stripe Checkout return pages", () => {
  it("serves the success and cancel pages the Stripe gateway sends customers back to", async () => {
    const server = await startTestServer()
    for (const path of ["/checkout/success?session_id=cs_1", "/checkout/cancelled?session_id=cs_1"]) {
      const answer = await call(`${server.url}${path}`)
      expect(answer.status).toBe(200)
      expect(answer.headers.get("content-type")).toMatch(/^text\/html/)
    }
  })
})

describe("GET /metrics", () => {
  it("labels request durations with the route template, never the raw path; unmatched otherwise", async () => {
    const server = await startTestServer()
    await call(`${server.url}/api/v1/orders/ord_x`)
    await call(`${server.url}/api/v1/orders/ord_y`, { headers: { "X-Order-Token": "nope" } })
    await call(`${server.url}/no/such/route`)
    const text = (await call(`${server.url}/metrics`)).body as string
    expect(text).not.toContain("ord_x")
    expect(
      await metric(
        server,
        'http_request_duration_seconds_count{method="GET",route="/api/v1/orders/:id",status="401"}',
      ),
    ).toBe(1)
    expect(
      await metric(
        server,
        'http_request_duration_seconds_count{method="GET",route="/api/v1/orders/:id",status="404"}',
      ),
    ).toBe(1)
    expect(
      await metric(
        server,
        'http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}',
      ),
    ).toBe(1)
  })

  it("serves the prom-client text with the runbook's counters and order-health gauges", async () => {
    const server = await startTestServer()
    const answer = await call(`${server.url}/metrics`)
    expect(answer.status).toBe(200)
    expect(answer.headers.get("content-type")).toMatch(/^text\/plain/)
    for (const name of [
      "webhook_events_total",
      "checkout_failures_total",
      "checkout_attempts_total",
      "http_request_duration_seconds",
      "paid_unconfirmed_orders",
      "failed_invoice_orders",
      "leaked_coupon_reservations",
    ]) {
      expect(answer.body as string).toContain(`# TYPE ${name} `)
    }
    expect(await metric(server, "paid_unconfirmed_orders")).toBe(0)
  })
})
