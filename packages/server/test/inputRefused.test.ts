import { describe, expect, it } from "vitest"
import { adminToken, CART, call, errorOf, postJson, startTestServer } from "./support/server.js"

/**
 * A request that matches the OpenAPI document but breaks a rule no schema states is 422 INPUT_REFUSED
 * naming the field (400 INVALID_INPUT is kept for "not as documented"); the helper checks each answer
 * against the document too.
 */
describe("422 INPUT_REFUSED", () => {
  const admin = async () => ({
    Authorization: `Bearer ${await adminToken()}`,
    "Content-Type": "application/json",
  })

  it("refuses a coupon whose expiresAt is in the past, on create and on update, writing nothing", async () => {
    const server = await startTestServer()
    const headers = await admin()
    const created = await postJson(
      `${server.url}/api/v1/admin/coupons`,
      {
        code: "FUZZ1",
        discount: { _tag: "percent", percent: 10 },
        expiresAt: "2000-01-01T00:00:00Z",
        maxRedemptions: 1,
      },
      headers,
    )
    expect(created.status).toBe(422)
    expect(errorOf(created)).toMatchObject({ code: "INPUT_REFUSED", details: { field: "expiresAt" } })
    const fresh = await postJson(
      `${server.url}/api/v1/admin/coupons`,
      { code: "FUZZ2", discount: { _tag: "percent", percent: 10 }, maxRedemptions: 1 },
      headers,
    )
    expect(fresh.status).toBe(201)
    const { coupon } = fresh.body as { coupon: { id: string; expiresAt: string | null } }
    const updated = await call(`${server.url}/api/v1/admin/coupons/${coupon.id}`, {
      method: "PATCH",
      headers,
      body: JSON.stringify({ expiresAt: "2000-01-01T00:00:00Z" }),
    })
    expect(updated.status).toBe(422)
    expect(errorOf(updated)).toMatchObject({ code: "INPUT_REFUSED", details: { field: "expiresAt" } })
    const read = await call(`${server.url}/api/v1/admin/coupons/${coupon.id}`, { headers })
    expect((read.body as { coupon: { expiresAt: string | null } }).coupon.expiresAt).toBeNull()
  })

  it("refuses one sku on two checkout lines, naming the second line", async () => {
    const server = await startTestServer()
    const sku = CART.items[0]?.sku ?? ""
    const answer = await postJson(`${server.url}/api/v1/checkout`, {
      ...CART,
      items: [
        { sku, quantity: 1 },
        { sku, quantity: 1 },
      ],
    })
    expect(answer.status).toBe(422)
    expect(errorOf(answer)).toMatchObject({ code: "INPUT_REFUSED", details: { field: "items.1.sku" } })
  })

  it("refuses a coupon that would make the order free, naming couponCode", async () => {
    const server = await startTestServer()
    const made = await postJson(
      `${server.url}/api/v1/admin/coupons`,
      { code: "ALLFREE", discount: { _tag: "percent", percent: 100 }, maxRedemptions: 5 },
      await admin(),
    )
    expect(made.status).toBe(201)
    const answer = await postJson(`${server.url}/api/v1/checkout`, { ...CART, couponCode: "ALLFREE" })
    expect(answer.status).toBe(422)
    expect(errorOf(answer)).toMatchObject({ code: "INPUT_REFUSED", details: { field: "couponCode" } })
  })

  it("refuses stock past 1e9 units in all instead of exceeding the documented bound", async () => {
    const server = await startTestServer()
    const headers = await admin()
    const made = await postJson(
      `${server.url}/api/v1/admin/products`,
      { sku: "FUZZ-BIG", name: "big", price: { amount: 1, currency: "EUR" }, stock: 1_000_000_000 },
      headers,
    )
    expect(made.status).toBe(201)
    const { product } = made.body as { product: { id: string } }
    const added = await postJson(
      `${server.url}/api/v1/admin/products/${product.id}/stock`,
      { quantity: 1 },
      headers,
    )
    expect(added.status).toBe(422)
    expect(errorOf(added)).toMatchObject({ code: "INPUT_REFUSED", details: { field: "quantity" } })
    const read = await call(`${server.url}/api/v1/admin/products/${product.id}`, { headers })
    expect((read.body as { product: { stock: { available: number } } }).product.stock.available).toBe(
      1_000_000_000,
    )
  })
})
