import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { type GatewayFailure, money, PaymentGateway, PaymentRefused } from "@settle/domain"
import { crashable, FaultPlan, makePlan, withFaults } from "@settle/testkit"
import { Effect, Layer, Ref } from "effect"
import { SignJWT } from "jose"
import { beforeEach, describe, expect, it } from "vitest"
import type { RunningServer } from "../../src/bootstrap/start.js"
import { adminPost, confirmedOrder, storedOrder } from "../support/adminOrders.js"
import {
  ADMIN_SECRET,
  adminToken,
  CART,
  call,
  checkout,
  deliver,
  errorOf,
  onServer,
  postJson,
  sandboxControl,
  sessionOf,
  startTestServer,
} from "../support/server.js"

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

/** Stripe turning a call down for good (a 4xx), as the fault plan injects it. */
const providerRefusal = (message: string): GatewayFailure =>
  new PaymentRefused({ operation: "checkout.sessions.create", code: "invalid_request", status: 400, message })

describe("docs/api.md, the statements added with the contract", () => {
  const bagsOfBeans = async (on: RunningServer) => {
    const listed = await call(`${on.url}/api/v1/admin/products?limit=100`, { headers: await admin() })
    const products = (listed.body as { products: Array<{ sku: string; stock: Record<string, number> }> })
      .products
    return products.find((product) => product.sku === "BEANS-1KG")?.stock
  }

  it("errors: 400 INVALID_INPUT off the document, 422 INPUT_REFUSED for a rule no schema states", async () => {
    const sku = CART.items[0]?.sku ?? ""
    const twice = await postJson(`${server.url}/api/v1/checkout`, {
      ...CART,
      items: [
        { sku, quantity: 1 },
        { sku, quantity: 1 },
      ],
    })
    expect(twice.status).toBe(422)
    expect(errorOf(twice)).toMatchObject({ code: "INPUT_REFUSED", details: { field: "items.1.sku" } })
    const offDocument = await postJson(`${server.url}/api/v1/checkout`, { ...CART, extra: true })
    expect(offDocument.status).toBe(400)
    expect(errorOf(offDocument).code).toBe("INVALID_INPUT")
  })

  it("checkout: a provider refusal is 502 PAYMENT_PROVIDER_REFUSED and nothing stays held", async () => {
    const plan = Effect.runSync(makePlan())
    const refusing = await startTestServer({
      overrideLayer: (layer) =>
        withFaults(layer, [crashable(PaymentGateway, providerRefusal)]).pipe(
          Layer.provide(Layer.succeed(FaultPlan, plan)),
        ),
    })
    const before = await bagsOfBeans(refusing)
    Effect.runSync(Effect.all([Ref.set(plan.calls, 0), Ref.set(plan.failAt, 1)], { discard: true }))
    const refused = await postJson(`${refusing.url}/api/v1/checkout`, CART)
    expect(refused.status).toBe(502)
    expect(refused.headers.get("retry-after")).toBeNull()
    expect(errorOf(refused).code).toBe("PAYMENT_PROVIDER_REFUSED")
    expect(await bagsOfBeans(refusing)).toEqual(before)
  })

  it("refunds: a provider refusal is 502, nothing refunded, refundable again; a reused requestId is 422", async () => {
    const placed = await confirmedOrder(server)
    const url = `${server.url}/api/v1/admin/orders/${placed.order.id}/refunds`
    const intent = (await storedOrder(server, placed.order.id)).payment.paymentIntentId
    if (intent === null) throw new Error("no payment intent")
    // Stripe has less left than Settle believes: it refuses a refund of the whole captured amount.
    await onServer(server, (await sandboxControl(server)).refundOutside(intent, money(1000, "EUR")))
    const refused = await adminPost(url, { reason: "damaged" })
    expect(refused.status).toBe(502)
    expect(errorOf(refused).code).toBe("PAYMENT_PROVIDER_REFUSED")
    expect((await storedOrder(server, placed.order.id)).payment.amountRefunded).toBe(0)
    expect((await adminPost(url, { amount: 500, reason: "damaged", requestId: "guide-1" })).status).toBe(201)
    const reused = await adminPost(url, { amount: 600, reason: "damaged", requestId: "guide-1" })
    expect(reused.status).toBe(422)
    expect(errorOf(reused).code).toBe("REQUEST_ID_REUSED")
    expect((await storedOrder(server, placed.order.id)).payment.amountRefunded).toBe(500)
  })

  it("review refund: a provider refusal is 502 and the order is back in payment_review", async () => {
    const placed = await checkout(server)
    const paid = await onServer(
      server,
      (await sandboxControl(server)).pay(sessionOf(placed), { amount: 100 }),
    )
    expect((await deliver(server, paid)).body).toMatchObject({ outcome: { status: "amount_mismatch" } })
    const intent = (await storedOrder(server, placed.order.id)).payment.paymentIntentId
    if (intent === null) throw new Error("no payment intent")
    await onServer(server, (await sandboxControl(server)).refundOutside(intent, money(100, "EUR")))
    const refused = await adminPost(`${server.url}/api/v1/admin/orders/${placed.order.id}/review/refund`, {
      reason: "RISK-7: refund the mismatched payment",
    })
    expect(refused.status).toBe(502)
    expect(errorOf(refused).code).toBe("PAYMENT_PROVIDER_REFUSED")
    expect((await storedOrder(server, placed.order.id)).status).toBe("payment_review")
  })

  it("CORS: preflights are answered by the middleware for the configured origins and are not in the document", async () => {
    const shop = "https://shop.example"
    const admin_ui = "https://admin.example"
    const cors = await startTestServer({ cors: { shopOrigins: [shop], adminOrigins: [admin_ui] } })
    const preflight = (path: string, origin: string) =>
      fetch(`${cors.url}${path}`, {
        method: "OPTIONS",
        headers: { Origin: origin, "Access-Control-Request-Method": "POST" },
      })
    expect((await preflight("/api/v1/checkout", shop)).headers.get("access-control-allow-origin")).toBe(shop)
    expect(
      (await preflight("/api/v1/admin/products", shop)).headers.get("access-control-allow-origin"),
    ).toBeNull()
    expect(
      (await preflight("/api/v1/admin/products", admin_ui)).headers.get("access-control-allow-origin"),
    ).toBe(admin_ui)
    const document = JSON.parse(readFileSync(docs("openapi.json"), "utf8")) as {
      paths: Record<string, Record<string, unknown>>
    }
    expect(Object.values(document.paths).filter((item) => "options" in item)).toEqual([])
  })

  it("auth: an admin token needs iat, lives at most ADMIN_TOKEN_MAX_LIFETIME_MINUTES, is not issued in the future", async () => {
    const now = Math.floor(Date.now() / 1000)
    const key = new TextEncoder().encode(ADMIN_SECRET)
    const token = (claims: { iat?: number; exp: number }) => {
      const jwt = new SignJWT({ role: "admin" })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("ops@example.com")
      if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat)
      return jwt.setExpirationTime(claims.exp).sign(key)
    }
    const read = async (jwt: string) =>
      (await call(`${server.url}/api/v1/admin/jobs`, { headers: { Authorization: `Bearer ${jwt}` } })).status
    expect(await read(await token({ iat: now, exp: now + 600 }))).toBe(200)
    expect(await read(await token({ exp: now + 600 }))).toBe(401)
    expect(await read(await token({ iat: now, exp: now + 12 * 3600 + 60 }))).toBe(401)
    expect(await read(await token({ iat: now + 600, exp: now + 1200 }))).toBe(401)
  })

  it("money: error details carry { amount, currency } too", async () => {
    const placed = await confirmedOrder(server)
    const over = await adminPost(`${server.url}/api/v1/admin/orders/${placed.order.id}/refunds`, {
      amount: placed.order.totals.total.amount + 1,
      reason: "too much",
    })
    expect(over.status).toBe(422)
    expect(errorOf(over).details).toMatchObject({
      requested: { amount: placed.order.totals.total.amount + 1, currency: "EUR" },
      refundable: { amount: placed.order.totals.total.amount, currency: "EUR" },
    })
  })
})
