import { describe, expect, it } from "vitest"
import { call, errorOf, startFailingStoreServer, startTestServer } from "./support/server.js"

describe("probes", () => {
  it("GET /healthz answers 200 while the process is up", async () => {
    const server = await startTestServer()
    const answer = await call(`${server.url}/healthz`)
    expect([answer.status, answer.body]).toEqual([200, { status: "ok" }])
  })

  it("GET /readyz answers 200 when the store answers", async () => {
    const server = await startTestServer()
    const answer = await call(`${server.url}/readyz`)
    expect([answer.status, answer.body]).toEqual([200, { status: "ready", store: "ok" }])
  })

  it("GET /readyz answers 503 NOT_READY when the store fails, and /healthz stays 200", async () => {
    const { server, failAt } = await startFailingStoreServer()
    failAt(1)
    const down = await call(`${server.url}/readyz`)
    expect(down.status).toBe(503)
    expect(errorOf(down)).toMatchObject({ code: "NOT_READY", message: "the store is unavailable" })
    expect((await call(`${server.url}/healthz`)).status).toBe(200)
    expect((await call(`${server.url}/readyz`)).status).toBe(200)
  })
})
