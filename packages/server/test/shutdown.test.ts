import { request } from "node:http"
import { describe, expect, it } from "vitest"
import { CART, call, errorOf, postJson, startTestServer } from "./support/server.js"

describe("graceful shutdown", () => {
  it("stops accepting, finishes the request in flight, then reports a clean stop", async () => {
    const server = await startTestServer()
    const { port } = new URL(server.url)
    const body = JSON.stringify(CART)
    const half = body.length >> 1
    let status = 0
    const req = request({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: "/api/v1/checkout",
      headers: { "Content-Type": "application/json", "Content-Length": String(body.length) },
    })
    const answered = new Promise<string>((resolve, reject) => {
      req.on("response", (res) => {
        status = res.statusCode ?? 0
        let text = ""
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString()
        })
        res.on("end", () => resolve(text))
      })
      req.on("error", reject)
    })
    // The request is in flight: headers and half the body are in, the handler waits for the rest.
    req.write(body.slice(0, half))
    await new Promise((resolve) => setTimeout(resolve, 100))

    const stopping = server.shutdown("test")
    await new Promise((resolve) => setTimeout(resolve, 100))
    await expect(call(`${server.url}/healthz`)).rejects.toThrow()

    req.end(body.slice(half))
    const text = await answered
    expect(status).toBe(201)
    expect(JSON.parse(text)).toMatchObject({ order: { status: "pending" } })
    expect(await stopping).toBe("clean")
  })

  it("answers /readyz 503 and keeps serving for the drain delay, then closes the port", async () => {
    const server = await startTestServer({ drainDelayMs: 1_000 })
    const started = Date.now()
    const stopping = server.shutdown("test")
    const ready = await call(`${server.url}/readyz`)
    expect(ready.status).toBe(503)
    expect(errorOf(ready)).toMatchObject({ code: "NOT_READY", message: "shutting down" })
    expect((await call(`${server.url}/healthz`)).status).toBe(200)
    expect((await postJson(`${server.url}/api/v1/checkout`, CART)).status).toBe(201)
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(await stopping).toBe("clean")
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
    await expect(call(`${server.url}/healthz`)).rejects.toThrow()
  })
})
