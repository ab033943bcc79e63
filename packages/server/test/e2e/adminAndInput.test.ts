import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Answer, call, errorOf, postJson } from "./support/http.js"
import { type ServerProcess, startServerProcess } from "./support/serverProcess.js"
import { adminToken, cartOf, createProduct, SECRETS, stockOf, tryCheckout } from "./support/shop.js"

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess(SECRETS)
})
afterAll(async () => {
  expect(await server.stop()).toBe(0)
})

const products = () => `${server.baseUrl}/api/v1/admin/products`
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })

describe("admin authentication", () => {
  it("answers 401 with a WWW-Authenticate challenge without a token", async () => {
    const answer = await call(products())
    expect(answer.status).toBe(401)
    expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer realm=/)
    expect(errorOf(answer)).toMatchObject({ code: "UNAUTHORIZED", message: expect.any(String) })
  })

  it("answers 401 for an expired token", async () => {
    const answer = await call(products(), { headers: bearer(await adminToken({}, -120)) })
    expect(answer.status).toBe(401)
    expect(answer.headers.get("www-authenticate")).toContain('error="invalid_token"')
    expect(errorOf(answer)).toMatchObject({ code: "UNAUTHORIZED", details: { reason: "expired" } })
  })

  it("answers 403 for a valid token without the admin role", async () => {
    const answer = await call(products(), { headers: bearer(await adminToken({ role: "support" })) })
    expect(answer.status).toBe(403)
    expect(errorOf(answer).code).toBe("FORBIDDEN")
  })

  it("creates a product with a valid token (201), then lists and reads it", async () => {
    const sku = `E2E-ADMIN-${randomUUID().slice(0, 6).toUpperCase()}`
    const token = await adminToken()
    const created = await postJson(
      products(),
      { sku, name: "Admin e2e", price: { amount: 990, currency: "EUR" }, stock: 4 },
      bearer(token),
    )
    expect(created.status).toBe(201)
    const { id } = (created.body as { product: { id: string } }).product
    const listed = await call(products(), { headers: bearer(token) })
    expect((listed.body as { products: Array<{ sku: string }> }).products.map((p) => p.sku)).toContain(sku)
    const read = await call(`${products()}/${id}`, { headers: bearer(token) })
    expect(read.body).toMatchObject({
      product: { id, sku, stock: { available: 4, reserved: 0, committed: 0 } },
    })
  })
})

describe("bad checkout bodies change nothing", () => {
  const expectField = (answer: Answer, status: number, field: string) => {
    expect(answer.status).toBe(status)
    expect(errorOf(answer)).toMatchObject({
      code: expect.any(String),
      message: expect.any(String),
      details: { field },
    })
  }

  it("refuses each with a 4xx naming what failed, and holds no stock", async () => {
    const product = await createProduct(server.baseUrl, 6)
    const cart = cartOf(product, 1)
    const url = `${server.baseUrl}/api/v1/checkout`
    const before = await stockOf(server.baseUrl, product)

    expectField(await tryCheckout(server.baseUrl, { ...cart, email: { $gt: "" } }), 400, "email")
    expectField(await tryCheckout(server.baseUrl, cartOf(product, 0)), 400, "items.0.quantity")
    const unknown = await tryCheckout(server.baseUrl, {
      ...cart,
      items: [{ sku: "NO-SUCH-SKU", quantity: 1 }],
    })
    expectField(unknown, 422, "items")
    expect(errorOf(unknown).code).toBe("UNKNOWN_SKU")
    expectField(await postJson(url, '{"items": ['), 400, "body")
    const form = await call(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "items=1",
    })
    expectField(form, 415, "body")
    // The default limit is 256 KiB.
    const huge = JSON.stringify({ ...cart, note: "x".repeat(300 * 1024) })
    const tooLarge = await postJson(url, huge)
    expectField(tooLarge, 413, "body")

    expect(await stockOf(server.baseUrl, product)).toEqual(before)
    // Nothing is held behind the refusals: the whole stock can still be bought.
    expect((await tryCheckout(server.baseUrl, cartOf(product, 6))).status).toBe(201)
  })
})
