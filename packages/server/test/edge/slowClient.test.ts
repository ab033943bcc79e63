import { connect, type Socket } from "node:net"
import { describe, expect, it } from "vitest"
import { DEFAULT_HTTP_TIMEOUTS } from "../../src/bootstrap/start.js"
import { startTestServer } from "../support/server.js"

const TIMEOUTS = { headersMs: 500, requestMs: 1_000, keepAliveMs: 300 }

/** Opens a raw connection and reports when (ms after opening) the server closed it, and what it answered. */
const rawClient = (url: string) => {
  const { hostname, port } = new URL(url)
  const socket: Socket = connect(Number(port), hostname)
  const opened = Date.now()
  let received = ""
  socket.setEncoding("utf8")
  socket.on("data", (chunk: string) => {
    received += chunk
  })
  socket.on("error", () => undefined)
  const closed = new Promise<{ afterMs: number; received: string }>((resolve) =>
    socket.on("close", () => resolve({ afterMs: Date.now() - opened, received })),
  )
  return { socket, closed }
}

/** Writes `parts` one every `everyMs` until the socket closes or they run out (a bounded trickle). */
const trickle = (socket: Socket, parts: ReadonlyArray<string>, everyMs: number) => {
  let index = 0
  const timer = setInterval(() => {
    if (socket.destroyed || index >= parts.length) return clearInterval(timer)
    socket.write(parts[index++]!)
  }, everyMs)
  return () => clearInterval(timer)
}

describe("HTTP server timeouts (the slow-client test)", () => {
  it("cuts off a client that trickles its headers, within the headers timeout", async () => {
    const server = await startTestServer({ timeouts: TIMEOUTS })
    const { socket, closed } = rawClient(server.url)
    socket.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
    const stop = trickle(
      socket,
      Array.from({ length: 100 }, (_, i) => `X-Slow-${i}: a\r\n`),
      100,
    )
    const outcome = await closed
    stop()
    expect(outcome.received).toMatch(/^HTTP\/1\.1 408/)
    // Checked every headersMs / 4: cut off after the limit, well before the 10 s the trickle would take.
    expect(outcome.afterMs).toBeGreaterThanOrEqual(TIMEOUTS.headersMs - 50)
    expect(outcome.afterMs).toBeLessThan(TIMEOUTS.headersMs + 1_000)
  })

  it("cuts off a client that trickles its body, within the request timeout", async () => {
    const server = await startTestServer({ timeouts: TIMEOUTS })
    const { socket, closed } = rawClient(server.url)
    socket.write(
      "POST /api/v1/checkout HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
    )
    const stop = trickle(
      socket,
      Array.from({ length: 100 }, () => " "),
      100,
    )
    const outcome = await closed
    stop()
    expect(outcome.afterMs).toBeGreaterThanOrEqual(TIMEOUTS.requestMs - 50)
    expect(outcome.afterMs).toBeLessThan(TIMEOUTS.requestMs + 1_000)
  })

  it("closes an idle keep-alive connection after the keep-alive timeout", async () => {
    const server = await startTestServer({ timeouts: TIMEOUTS })
    const { socket, closed } = rawClient(server.url)
    socket.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
    const outcome = await closed
    expect(outcome.received).toMatch(/^HTTP\/1\.1 200/)
    // Node waits a further second past keepAliveTimeout before closing, so that its own "Keep-Alive:
    // timeout" hint always expires on the client first.
    expect(outcome.afterMs).toBeLessThan(TIMEOUTS.keepAliveMs + 2_000)
  })

  it("sets the documented defaults when none are given: 10 s, 30 s and 5 s", async () => {
    expect(DEFAULT_HTTP_TIMEOUTS).toEqual({ headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 })
    const server = await startTestServer()
    expect([
      server.server.headersTimeout,
      server.server.requestTimeout,
      server.server.keepAliveTimeout,
    ]).toEqual([10_000, 30_000, 5_000])
  })
})
