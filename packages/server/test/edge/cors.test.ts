import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { loadConfig } from "../../src/config/index.js"
import { adminToken, CART, call, postJson, startTestServer } from "../support/server.js"

const SHOP = "https://shop.example"
const ADMIN_UI = "https://admin.shop.example"
const EVIL = "https://evil.example"

const preflight = (url: string, origin: string, method = "POST", headers = "content-type, idempotency-key") =>
  call(url, {
    method: "OPTIONS",
    headers: {
      Origin: origin,
      "Access-Control-Request-Method": method,
      "Access-Control-Request-Headers": headers,
    },
  })

const allowList = (header: string | null) =>
  (header ?? "").split(",").map((name) => name.trim().toLowerCase())

describe("CORS for browser storefronts", () => {
  it("answers a shop preflight from an allowed origin: methods, request headers, no credentials", async () => {
    const server = await startTestServer({ cors: { shopOrigins: [SHOP], adminOrigins: [] } })
    const answer = await preflight(`${server.url}/api/v1/checkout`, SHOP)
    expect(answer.status).toBe(204)
    expect(answer.headers.get("access-control-allow-origin")).toBe(SHOP)
    expect(allowList(answer.headers.get("access-control-allow-methods"))).toEqual(["get", "post"])
    expect(allowList(answer.headers.get("access-control-allow-headers"))).toEqual([
      "content-type",
      "idempotency-key",
      "x-order-token",
    ])
    expect(answer.headers.get("access-control-allow-credentials")).toBeNull()
    expect(answer.headers.get("vary")).toMatch(/Origin/)
    const order = await preflight(`${server.url}/api/v1/orders/ord_1`, SHOP, "GET", "x-order-token")
    expect(order.headers.get("access-control-allow-origin")).toBe(SHOP)
  })

  it("lets the allowed origin read the checkout answer and the exposed headers", async () => {
    const server = await startTestServer({ cors: { shopOrigins: [SHOP], adminOrigins: [] } })
    const answer = await postJson(`${server.url}/api/v1/checkout`, CART, { Origin: SHOP })
    expect(answer.status).toBe(201)
    expect(answer.headers.get("access-control-allow-origin")).toBe(SHOP)
    expect(allowList(answer.headers.get("access-control-expose-headers"))).toEqual([
      "location",
      "idempotent-replayed",
      "x-request-id",
      "retry-after",
    ])
    expect(answer.headers.get("access-control-allow-credentials")).toBeNull()
    const refused = await postJson(`${server.url}/api/v1/checkout`, "{", { Origin: SHOP })
    expect([refused.status, refused.headers.get("access-control-allow-origin")]).toEqual([400, SHOP])
  })

  it("gives another origin nothing: its preflight carries no Access-Control header, nor its answers", async () => {
    const server = await startTestServer({ cors: { shopOrigins: [SHOP], adminOrigins: [] } })
    const answer = await preflight(`${server.url}/api/v1/checkout`, EVIL)
    expect(answer.status).toBe(204)
    expect(answer.headers.get("access-control-allow-origin")).toBeNull()
    expect(answer.headers.get("access-control-allow-methods")).toBeNull()
    const posted = await postJson(`${server.url}/api/v1/checkout`, CART, { Origin: EVIL })
    expect(posted.headers.get("access-control-allow-origin")).toBeNull()
  })

  it("keeps the admin API closed to the shop's origins, open only to CORS_ADMIN_ORIGINS with Authorization", async () => {
    const closed = await startTestServer({ cors: { shopOrigins: [SHOP], adminOrigins: [] } })
    const none = await preflight(`${closed.url}/api/v1/admin/products`, SHOP, "GET", "authorization")
    expect(none.headers.get("access-control-allow-origin")).toBeNull()

    const open = await startTestServer({ cors: { shopOrigins: [SHOP], adminOrigins: [ADMIN_UI] } })
    const answer = await preflight(`${open.url}/api/v1/admin/products`, ADMIN_UI, "PATCH", "authorization")
    expect(answer.status).toBe(204)
    expect(answer.headers.get("access-control-allow-origin")).toBe(ADMIN_UI)
    expect(allowList(answer.headers.get("access-control-allow-headers"))).toContain("authorization")
    expect(answer.headers.get("access-control-allow-credentials")).toBeNull()
    const listed = await call(`${open.url}/api/v1/admin/products`, {
      headers: { Origin: ADMIN_UI, Authorization: `Bearer ${await adminToken()}` },
    })
    expect([listed.status, listed.headers.get("access-control-allow-origin")]).toEqual([200, ADMIN_UI])
    const shopOnAdmin = await preflight(`${open.url}/api/v1/admin/products`, SHOP, "GET", "authorization")
    expect(shopOnAdmin.headers.get("access-control-allow-origin")).toBeNull()
  })

  it("is off by default: no CORS header without CORS_ORIGINS", async () => {
    const server = await startTestServer()
    const answer = await preflight(`${server.url}/api/v1/checkout`, SHOP)
    expect(answer.headers.get("access-control-allow-origin")).toBeNull()
  })

  it("reads CORS_ORIGINS and CORS_ADMIN_ORIGINS as comma-separated origins and refuses * or a path", () => {
    const loaded = Either.getOrThrow(
      loadConfig({ CORS_ORIGINS: `${SHOP}, https://www.shop.example`, CORS_ADMIN_ORIGINS: ADMIN_UI }),
    )
    expect(loaded.server.cors).toEqual({
      shopOrigins: [SHOP, "https://www.shop.example"],
      adminOrigins: [ADMIN_UI],
    })
    expect(Either.getOrThrow(loadConfig({})).server.cors).toEqual({ shopOrigins: [], adminOrigins: [] })
    for (const bad of ["*", `${SHOP}, *`, `${SHOP}/`, `${SHOP}/checkout`, "shop.example"]) {
      const result = loadConfig({ CORS_ORIGINS: bad })
      expect(Either.isLeft(result) && result.left.problems.map((p) => p.variable)).toEqual(["CORS_ORIGINS"])
    }
  })
})
