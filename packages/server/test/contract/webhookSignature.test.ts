import { request } from "node:http"
import { describe, expect, it } from "vitest"
import { startTestServer } from "../support/server.js"

/** Sends headers announcing a body and never sends it; resolves with the answer that comes anyway. */
const headersOnly = (url: string, headers: Record<string, string>) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${url}/api/v1/webhooks/stripe`, { method: "POST", headers }, (res) => {
      let body = ""
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8")
      })
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body })
        req.destroy()
      })
    })
    req.on("error", reject)
    req.flushHeaders()
  })

describe("POST /api/v1/webhooks/stripe", () => {
  it("refuses a missing Stripe-Signature with 400 before reading the body", async () => {
    const server = await startTestServer()
    const answer = await headersOnly(server.url, {
      "Content-Type": "application/json",
      "Content-Length": "1000",
    })
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body)).toMatchObject({
      error: { code: "WEBHOOK_SIGNATURE_INVALID", message: "No Stripe-Signature header" },
    })
  })
})
