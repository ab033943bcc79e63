import { afterEach, describe, expect, inject, it } from "vitest"
import { freshDatabase } from "../ops/support/store.js"
import { storeOptIn } from "../support/mongoStore.js"
import { call } from "./support/http.js"
import { itOnce } from "./support/mongoProjects.js"
import { type ServerProcess, startServerProcess } from "./support/serverProcess.js"
import { checkout, SECRETS } from "./support/shop.js"

interface LogRecord {
  readonly level: number
  readonly msg: string
  readonly [field: string]: unknown
}

/** Every line the process wrote to its (piped) stdout, each of which must be a JSON log record. */
const stdoutRecords = (server: ServerProcess): ReadonlyArray<LogRecord> => {
  const lines = server.output().stdout.split("\n")
  expect(lines.at(-1)).toBe("")
  return lines.slice(0, -1).map((line) => {
    try {
      return JSON.parse(line) as LogRecord
    } catch {
      throw new Error(`a stdout line is not JSON: ${line}`)
    }
  })
}

const listening = (records: ReadonlyArray<LogRecord>) =>
  records.find((record) => record.msg === "[http] listening")

const stopped: Array<ServerProcess> = []
afterEach(async () => {
  await Promise.all(stopped.splice(0).map((server) => server.stop()))
})

const start = async (env: Readonly<Record<string, string>>) => {
  const server = await startServerProcess(env)
  stopped.push(server)
  return server
}

// Once per Mongo server for the MongoDB test; the store-free ones run in one Mongo project only.
describe("as deployed in a container (stdout piped)", () => {
  itOnce(
    "embedded default: stdout is JSON log lines only; the banner and `listening on` are on stderr",
    async () => {
      const server = await start({ LOG_LEVEL: "info" })
      await checkout(server.baseUrl, {
        items: [{ sku: "BEANS-1KG", quantity: 1 }],
        currency: "EUR",
        email: "shopper@example.com",
      })
      expect(await server.stop()).toBe(0)
      const records = stdoutRecords(server)
      expect(listening(records)).toMatchObject({
        url: server.baseUrl,
        host: "127.0.0.1",
        storage: "Memory",
        payments: "Sandbox",
      })
      expect(records.map((record) => record.msg)).toContain("[http] POST /api/v1/checkout 201")
      const { stderr } = server.output()
      expect(stderr).toContain("IN-MEMORY stores")
      expect(stderr).toContain("Try it (copy and paste into a shell):")
      expect(stderr).toContain(`\nlistening on ${server.baseUrl}\n`)
    },
  )

  it("MongoDB and Stripe: binds 0.0.0.0, stdout is JSON only, no walk-through anywhere", async () => {
    const database = freshDatabase()
    try {
      const server = await start({
        ...SECRETS,
        ...database.env,
        ...storeOptIn(),
        STRIPE_SECRET_KEY: "sk_test_123",
        STRIPE_API_BASE_URL: inject("stripeMockUrl"),
        LOG_LEVEL: "info",
      })
      expect((await call(`${server.baseUrl}/readyz`)).status).toBe(200)
      expect(await server.stop()).toBe(0)
      const records = stdoutRecords(server)
      expect(listening(records)).toMatchObject({
        url: server.baseUrl,
        host: "0.0.0.0",
        storage: "Mongo",
        payments: "Stripe",
        livemode: false,
      })
      expect(records.map((record) => record.msg)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^\[db\] connected/),
          expect.stringMatching(/^\[config\] CLOUDINARY_CLOUD_NAME/),
        ]),
      )
      const { stderr } = server.output()
      expect(stderr).toContain("Stripe (test mode)")
      expect(stderr).not.toContain("Try it")
      expect(stderr).not.toContain("curl")
      expect(stderr).toContain(`\nlistening on ${server.baseUrl}\n`)
    } finally {
      await database.drop()
    }
  })

  itOnce(
    "on SIGTERM, answers /readyz 503 while still serving for DRAIN_DELAY_SECONDS, then exits 0",
    async () => {
      const server = await start({ LOG_LEVEL: "info", DRAIN_DELAY_SECONDS: "2" })
      expect((await call(`${server.baseUrl}/readyz`)).status).toBe(200)
      const signalled = Date.now()
      const exited = server.stop()
      // The signal is delivered at once but handled on the server's next turn of its event loop.
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect((await call(`${server.baseUrl}/readyz`)).status).toBe(503)
      expect((await call(`${server.baseUrl}/healthz`)).status).toBe(200)
      expect(Date.now() - signalled).toBeLessThan(2_000)
      expect(await exited).toBe(0)
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(2_000)
      expect(stdoutRecords(server).map((record) => record.msg)).toEqual(
        expect.arrayContaining([
          "[http] SIGTERM received: not ready; still serving for 2000 ms before closing the port",
          "[http] SIGTERM received: draining (up to 10000 ms)",
          "[http] stopped (clean)",
        ]),
      )
    },
  )
})
