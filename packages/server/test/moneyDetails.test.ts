import { describe, expect, it } from "vitest"
import { adminToken, errorOf, postJson, startTestServer } from "./support/server.js"

/** Money is `{ amount, currency }` in every response, error details included. */
describe("money in error details", () => {
  it("AMOUNT_TOO_LARGE gives the total and the maximum with their currency", async () => {
    const server = await startTestServer()
    const headers = { Authorization: `Bearer ${await adminToken()}` }
    const made = await postJson(
      `${server.url}/api/v1/admin/products`,
      { sku: "GOLD-1", name: "gold", price: { amount: 99_999_999, currency: "EUR" }, stock: 10 },
      headers,
    )
    expect(made.status).toBe(201)
    const answer = await postJson(`${server.url}/api/v1/checkout`, {
      items: [{ sku: "GOLD-1", quantity: 2 }],
      currency: "EUR",
      email: "shopper@example.com",
    })
    expect(answer.status).toBe(422)
    expect(errorOf(answer)).toMatchObject({
      code: "AMOUNT_TOO_LARGE",
      details: {
        field: "items",
        amount: { amount: 199_999_998, currency: "EUR" },
        max: { amount: 99_999_999, currency: "EUR" },
      },
    })
  })
})
