import { describe, expect, it } from "vitest"
import { call, checkout, errorOf, startTestServer } from "./support/server.js"

describe("GET /api/v1/orders/:id", () => {
  it("returns the public order to whoever holds its token in X-Order-Token, money as { amount, currency }", async () => {
    const server = await startTestServer()
    const placed = await checkout(server)
    const url = `${server.url}/api/v1/orders/${placed.order.id}`
    const byHeader = await call(url, { headers: { "X-Order-Token": placed.accessToken } })
    expect(byHeader.status).toBe(200)
    expect(byHeader.headers.get("cache-control")).toBe("no-store")
    expect(byHeader.body).toMatchObject({ order: { id: placed.order.id, status: "pending" } })
    const order = (byHeader.body as { order: Record<string, unknown> }).order
    expect(order).toMatchObject({
      totals: { total: { amount: 4800, currency: "EUR" } },
      payment: { amountReceived: null, amountRefunded: { amount: 0, currency: "EUR" } },
    })
    expect(order).not.toHaveProperty("accessToken")
    expect(JSON.stringify(order)).not.toContain(placed.accessToken)
  })

  it("answers 401 without a token", async () => {
    const server = await startTestServer()
    const placed = await checkout(server)
    const answer = await call(`${server.url}/api/v1/orders/${placed.order.id}`)
    expect(answer.status).toBe(401)
    expect(errorOf(answer).code).toBe("ORDER_TOKEN_REQUIRED")
  })

  it("answers the same 404 for a wrong token, an unknown id and a malformed id", async () => {
    const server = await startTestServer()
    const placed = await checkout(server)
    const other = await checkout(server)
    const ask = (id: string, token: string) =>
      call(`${server.url}/api/v1/orders/${encodeURIComponent(id)}`, { headers: { "X-Order-Token": token } })
    const answers = await Promise.all([
      ask(placed.order.id, other.accessToken),
      ask(placed.order.id, `${placed.accessToken}x`),
      ask("ord_unknown", placed.accessToken),
      ask('{"$gt":""}', placed.accessToken),
    ])
    for (const answer of answers) {
      expect(answer.status).toBe(404)
      expect(answer.body).toEqual({
        error: { code: "ORDER_NOT_FOUND", message: "order not found", details: {} },
      })
    }
  })
})
