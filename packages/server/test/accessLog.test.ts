import { request } from "node:http"
import { describe, expect, it } from "vitest"
import type { RunningServer } from "../src/bootstrap/start.js"
import {
  CART,
  call,
  checkout,
  metric,
  PinoLoggerFor,
  postJson,
  startFailingStoreServer,
  startTestServer,
} from "./support/server.js"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

interface LogRecord {
  readonly level: number
  readonly msg: string
  readonly [field: string]: unknown
}

const logged = (lines: ReadonlyArray<string>): ReadonlyArray<LogRecord> =>
  lines.map((line) => JSON.parse(line) as LogRecord)

const accessLines = (lines: ReadonlyArray<string>) =>
  logged(lines).filter((record) => record.route !== undefined && record.durationMs !== undefined)

const withLogs = async (): Promise<{ server: RunningServer; lines: Array<string> }> => {
  const lines: Array<string> = []
  const server = await startTestServer({ logger: PinoLoggerFor(lines) })
  return { server, lines }
}

describe("access log and X-Request-Id", () => {
  it("honours a sane X-Request-Id: echoed, and on the request's access-log line", async () => {
    const { server, lines } = await withLogs()
    const id = "edge-7f3a.9B_c:42"
    const answer = await call(`${server.url}/api/v1/orders/ord_unknown`, {
      headers: { "X-Request-Id": id, "X-Order-Token": "nope" },
    })
    expect(answer.status).toBe(404)
    expect(answer.headers.get("x-request-id")).toBe(id)
    expect(accessLines(lines)).toEqual([
      expect.objectContaining({
        level: 30,
        msg: "[http] GET /api/v1/orders/:id 404",
        requestId: id,
        method: "GET",
        route: "/api/v1/orders/:id",
        status: 404,
        durationMs: expect.any(Number),
      }),
    ])
  })

  it("generates a UUID when the client sends none, a new one per request", async () => {
    const { server, lines } = await withLogs()
    const first = await call(`${server.url}/api/v1/nowhere`)
    const second = await call(`${server.url}/api/v1/nowhere`)
    const ids = [first, second].map((answer) => answer.headers.get("x-request-id"))
    for (const id of ids) expect(id).toMatch(UUID)
    expect(ids[0]).not.toBe(ids[1])
    expect(accessLines(lines).map((record) => [record.requestId, record.route, record.status])).toEqual([
      [ids[0], "unmatched", 404],
      [ids[1], "unmatched", 404],
    ])
  })

  it.each([
    ["too long", "a".repeat(129)],
    ["a space", "req 1"],
    ["markup", "<script>"],
    ["a list (the header sent twice)", "one, two"],
    ["quotes", '"req-1"'],
  ])("replaces an X-Request-Id holding %s with its own", async (_why, given) => {
    const { server, lines } = await withLogs()
    const answer = await call(`${server.url}/healthz`, { headers: { "X-Request-Id": given } })
    const id = answer.headers.get("x-request-id")
    expect(id).toMatch(UUID)
    expect(lines.join("\n")).not.toContain(given)
  })

  it("replaces an X-Request-Id sent on two lines, and reads one in any case", async () => {
    const { server } = await withLogs()
    const idFor = (headers: Record<string, string | Array<string>>) =>
      new Promise<string>((resolve, reject) => {
        request(`${server.url}/healthz`, { headers }, (answer) => {
          answer.resume()
          resolve(String(answer.headers["x-request-id"]))
        })
          .on("error", reject)
          .end()
      })
    // node:http sends an array as one line per value: the server sees the header twice.
    expect(await idFor({ "X-Request-Id": ["req-1", "req-2"] })).toMatch(UUID)
    expect(await idFor({ "X-Request-Id": ["", "req-2"] })).toMatch(UUID)
    expect(await idFor({ "x-REQUEST-id": "req-3" })).toBe("req-3")
  })

  it("accepts 128 characters", async () => {
    const { server } = await withLogs()
    const id = "b".repeat(128)
    const answer = await call(`${server.url}/healthz`, { headers: { "X-Request-Id": id } })
    expect(answer.headers.get("x-request-id")).toBe(id)
  })

  it("labels the route as http_request_duration_seconds does", async () => {
    const { server, lines } = await withLogs()
    const placed = await checkout(server)
    await call(`${server.url}/api/v1/orders/${placed.order.id}`, {
      headers: { "X-Order-Token": placed.accessToken },
    })
    expect(await postJson(`${server.url}/api/v1/checkout`, "{")).toMatchObject({ status: 400 })
    const seen = accessLines(lines).map((record) => `${record.method} ${record.route} ${record.status}`)
    expect(seen).toEqual([
      "POST /api/v1/checkout 201",
      "GET /api/v1/orders/:id 200",
      "POST /api/v1/checkout 400",
    ])
    for (const labels of [
      'method="POST",route="/api/v1/checkout",status="201"',
      'method="GET",route="/api/v1/orders/:id",status="200"',
      'method="POST",route="/api/v1/checkout",status="400"',
    ]) {
      expect(await metric(server, `http_request_duration_seconds_count{${labels}}`)).toBe(1)
    }
  })

  it("logs answered probes at debug and failing ones at info", async () => {
    const lines: Array<string> = []
    const { server, failAt } = await startFailingStoreServer({ logger: PinoLoggerFor(lines) })
    await call(`${server.url}/healthz`)
    failAt(1)
    expect((await call(`${server.url}/readyz`)).status).toBe(503)
    expect(accessLines(lines).map((record) => [record.route, record.status, record.level])).toEqual([
      ["/healthz", 200, 20],
      ["/readyz", 503, 30],
    ])
  })

  it("puts the request id on the request's error and access lines; the shared store ping has none", async () => {
    const lines: Array<string> = []
    const { server, failAt } = await startFailingStoreServer({ logger: PinoLoggerFor(lines) })
    failAt(1)
    const answer = await call(`${server.url}/readyz`, { headers: { "X-Request-Id": "probe-1" } })
    expect(answer.status).toBe(503)
    expect(answer.headers.get("x-request-id")).toBe("probe-1")
    const mine = logged(lines).filter((record) => record.requestId === "probe-1")
    expect(mine.map((record) => record.msg)).toEqual([
      "[http] GET /readyz failed: NOT_READY",
      "[http] GET /readyz 503",
    ])
    // The store ping is shared by every probe waiting on it, so its own line belongs to no one request.
    const ping = logged(lines).filter((record) => record.msg === "[db] readiness probe failed: StoreError")
    expect(ping).toHaveLength(1)
    expect(ping[0]?.requestId).toBeUndefined()
  })

  it("echoes the request id on error answers too", async () => {
    const { server } = await withLogs()
    const answer = await postJson(`${server.url}/api/v1/checkout`, CART, { "X-Request-Id": "r-413" })
    expect(answer.status).toBe(201)
    expect(answer.headers.get("x-request-id")).toBe("r-413")
    const refused = await call(`${server.url}/api/v1/checkout`, {
      method: "POST",
      headers: { "Content-Type": "text/plain", "X-Request-Id": "r-415" },
      body: "hello",
    })
    expect(refused.status).toBe(415)
    expect(refused.headers.get("x-request-id")).toBe("r-415")
  })
})
