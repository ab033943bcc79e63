import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { call } from "./support/http.js"
import { type ServerProcess, startServerProcess } from "./support/serverProcess.js"
import { checkout, SECRETS } from "./support/shop.js"

let server: ServerProcess
let stripeMock: string
beforeAll(async () => {
  stripeMock = inject("stripeMockUrl")
  // stripe-mock accepts only three-part keys; its sessions have fixed ids, so one checkout per store.
  server = await startServerProcess({
    ...SECRETS,
    STRIPE_SECRET_KEY: "sk_test_123",
    STRIPE_API_BASE_URL: stripeMock,
  })
})
afterAll(async () => {
  expect(await server.stop()).toBe(0)
})

describe("with STRIPE_SECRET_KEY (stripe-mock)", () => {
  it("opens the checkout session at Stripe and returns its URL", async () => {
    expect(server.output().stderr).toContain(`Stripe (test mode) at ${stripeMock}`)
    const placed = await checkout(server.baseUrl, {
      items: [{ sku: "MUG", quantity: 1 }],
      currency: "EUR",
      email: "shopper@example.com",
    })
    expect(placed.order.status).toBe("pending")
    expect(placed.paymentUrl).toMatch(/^https:\/\//)
    expect(placed.paymentUrl).not.toContain(server.baseUrl)
    expect((await call(`${server.baseUrl}/sandbox/checkout/cs_any`)).status).toBe(404)
  })
})
