import { describe, expect, it } from "vitest"
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../../src/http/body.js"
import { adminToken, CART, call, errorOf, postJson, startTestServer } from "../support/server.js"

const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`
const deepArray = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`

const bearer = async () => ({ Authorization: `Bearer ${await adminToken()}` })

describe("the JSON depth limit", () => {
  it("counts brackets outside strings only, escaped quotes included", () => {
    const bytes = (text: string) => new TextEncoder().encode(text)
    expect(nestsDeeperThan(bytes(nested(MAX_JSON_DEPTH)), MAX_JSON_DEPTH)).toBe(false)
    expect(nestsDeeperThan(bytes(nested(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH)).toBe(true)
    expect(nestsDeeperThan(bytes(JSON.stringify({ a: '[[[[[\\"{{{{{' })), 2)).toBe(false)
    expect(nestsDeeperThan(bytes(`{"a":"\\"","b":[[1]]}`), 2)).toBe(true)
  })

  it.each([
    ["3,000 nested objects", nested(3000)],
    ["3,000 nested arrays", deepArray(3000)],
    ["one level past the limit", nested(MAX_JSON_DEPTH + 1)],
  ])("answers checkout %s with 400 INVALID_INPUT naming body, and holds nothing", async (_, body) => {
    const server = await startTestServer({ bodyLimitBytes: 64 * 1024 })
    const answer = await postJson(`${server.url}/api/v1/checkout`, body)
    expect([answer.status, errorOf(answer).code, errorOf(answer).details.field]).toEqual([
      400,
      "INVALID_INPUT",
      "body",
    ])
    const orders = await call(`${server.url}/api/v1/admin/orders`, { headers: await bearer() })
    expect(orders.status).toBe(200)
    expect(JSON.stringify(orders.body)).not.toContain('"ord_')
  })

  it("answers an admin JSON route the same, and creates no product", async () => {
    const server = await startTestServer({ bodyLimitBytes: 64 * 1024 })
    const url = `${server.url}/api/v1/admin/products`
    const before = await call(url, { headers: await bearer() })
    const answer = await postJson(url, nested(3000), await bearer())
    expect([answer.status, errorOf(answer).code, errorOf(answer).details.field]).toEqual([
      400,
      "INVALID_INPUT",
      "body",
    ])
    const after = await call(url, { headers: await bearer() })
    expect(after.body).toEqual(before.body)
  })

  it("still takes a cart within the limit", async () => {
    const server = await startTestServer()
    expect((await postJson(`${server.url}/api/v1/checkout`, CART)).status).toBe(201)
  })
})

describe("error messages quote little of the input", () => {
  const huge = "x".repeat(200 * 1024)

  it("a 200 KB product name comes back short", async () => {
    const server = await startTestServer({ bodyLimitBytes: 512 * 1024 })
    const product = { sku: "TEA-100G", name: huge, price: { amount: 900, currency: "EUR" }, stock: 5 }
    const answer = await postJson(`${server.url}/api/v1/admin/products`, product, await bearer())
    expect([answer.status, errorOf(answer).code]).toEqual([400, "INVALID_INPUT"])
    expect(JSON.stringify(answer.body).length).toBeLessThan(1000)
  })

  it.each([
    ["sku", { ...CART, items: [{ sku: huge, quantity: 1 }] }],
    ["email", { ...CART, email: huge }],
    ["couponCode", { ...CART, couponCode: huge }],
  ])("a 200 KB %s on checkout comes back short", async (_, cart) => {
    const server = await startTestServer({ bodyLimitBytes: 512 * 1024 })
    const answer = await postJson(`${server.url}/api/v1/checkout`, cart)
    expect(answer.status).toBeGreaterThanOrEqual(400)
    expect(answer.status).toBeLessThan(500)
    expect(JSON.stringify(answer.body).length).toBeLessThan(1000)
  })
})
