import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { beforeEach, describe, expect, it } from "vitest"
import type { RunningServer } from "../../src/bootstrap/start.js"
import { adminToken, CART, call, checkout, errorOf, postJson, startTestServer } from "../support/server.js"

/** Each statement of docs/api.md, checked against a running server. */

const docs = (name: string) => fileURLToPath(new URL(`../../../../docs/${name}`, import.meta.url))
const METRICS_TOKEN = "metrics-token-for-the-api-guide-test"

let server: RunningServer
// The support closes every server after each test.
beforeEach(async () => {
  server = await startTestServer({ metricsToken: METRICS_TOKEN })
})

const admin = async () => ({ Authorization: `Bearer ${await adminToken()}` })

describe("docs/api.md", () => {
  it("GET /openapi.json serves the document committed as docs/openapi.json", async () => {
    const answer = await call(`${server.url}/openapi.json`)
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual(JSON.parse(readFileSync(docs("openapi.json"), "utf8")))
  })

  it("errors: one body, bad input is 400 INVALID_INPUT naming the field", async () => {
    const answer = await postJson(`${server.url}/api/v1/checkout`, { ...CART, email: "not-an-email" })
    expect(answer.status).toBe(400)
    expect(Object.keys(answer.body as object)).toEqual(["error"])
    expect(errorOf(answer)).toMatchObject({ code: "INVALID_INPUT", details: { field: "email" } })
    expect(typeof errorOf(answer).message).toBe("string")
  })

  it("auth: admin routes answer 401 UNAUTHORIZED with a Bearer challenge without a token", async () => {
    const answer = await call(`${server.url}/api/v1/admin/products`)
    expect(answer.status).toBe(401)
    expect(errorOf(answer).code).toBe("UNAUTHORIZED")
    expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/)
    expect((await call(`${server.url}/api/v1/admin/products`, { headers: await admin() })).status).toBe(200)
  })

  it("auth: /metrics needs the METRICS_TOKEN bearer when it is set, and is open when it is not", async () => {
    const none = await call(`${server.url}/metrics`)
    expect(none.status).toBe(401)
    expect(errorOf(none).code).toBe("UNAUTHORIZED")
    const wrong = await call(`${server.url}/metrics`, { headers: { Authorization: "Bearer nope" } })
    expect(wrong.status).toBe(401)
    const right = await call(`${server.url}/metrics`, {
      headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
    })
    expect(right.status).toBe(200)
    const open = await startTestServer()
    expect((await call(`${open.url}/metrics`)).status).toBe(200)
  })

  it("the order token: X-Order-Token only; none is 401, a query token is 400 naming token", async () => {
    const placed = await checkout(server)
    const url = `${server.url}/api/v1/orders/${placed.order.id}`
    expect((await call(url, { headers: { "X-Order-Token": placed.accessToken } })).status).toBe(200)
    const missing = await call(url)
    expect(missing.status).toBe(401)
    expect(errorOf(missing).code).toBe("ORDER_TOKEN_REQUIRED")
    const query = await call(`${url}?token=${encodeURIComponent(placed.accessToken)}`)
    expect(query.status).toBe(400)
    expect(errorOf(query)).toMatchObject({ code: "INVALID_INPUT", details: { field: "token" } })
  })

  it("idempotent requests: same key and body replays with Idempotent-Replayed; another body is 422", async () => {
    const key = { "Idempotency-Key": "api-guide-checkout-1" }
    const first = await postJson(`${server.url}/api/v1/checkout`, CART, key)
    expect(first.status).toBe(201)
    const again = await postJson(`${server.url}/api/v1/checkout`, CART, key)
    expect(again.status).toBe(201)
    expect(again.body).toEqual(first.body)
    expect(again.headers.get("idempotent-replayed")).toBe("true")
    const other = await postJson(
      `${server.url}/api/v1/checkout`,
      { ...CART, email: "other@example.com" },
      key,
    )
    expect(other.status).toBe(422)
    expect(errorOf(other).code).toBe("IDEMPOTENCY_KEY_REUSED")
  })

  it("money: amounts in responses are { amount, currency }", async () => {
    const placed = await checkout(server)
    expect(placed.order.totals.total).toEqual({ amount: expect.any(Number), currency: "EUR" })
  })

  it("lists: limit and cursor, { items, nextCursor }, null on the last page", async () => {
    const headers = await admin()
    const first = await call(`${server.url}/api/v1/admin/products?limit=1`, { headers })
    expect(first.status).toBe(200)
    const page = first.body as { products: Array<unknown>; nextCursor: string | null }
    expect(page.products).toHaveLength(1)
    let cursor = page.nextCursor
    expect(cursor).not.toBeNull()
    for (let pages = 0; cursor !== null && pages < 100; pages++) {
      const next = await call(`${server.url}/api/v1/admin/products?limit=100&cursor=${cursor}`, { headers })
      expect(next.status).toBe(200)
      cursor = (next.body as { nextCursor: string | null }).nextCursor
    }
    expect(cursor).toBeNull()
  })

  it("request ids: the client's own when sane, a fresh one otherwise", async () => {
    const own = await call(`${server.url}/healthz`, { headers: { "X-Request-Id": "trace-123" } })
    expect(own.headers.get("x-request-id")).toBe("trace-123")
    const fresh = await call(`${server.url}/healthz`, { headers: { "X-Request-Id": "no spaces allowed" } })
    expect(fresh.headers.get("x-request-id")).not.toBe("no spaces allowed")
    expect(fresh.headers.get("x-request-id")).toMatch(/\S+/)
  })
})
