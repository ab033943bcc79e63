import { randomBytes } from "node:crypto"
import { MongoDatabase } from "@settle/adapters"
import { Effect, Option } from "effect"
import { describe, expect, it } from "vitest"
import { BootstrapError } from "../src/bootstrap/start.js"
import { itOnce } from "./e2e/support/mongoProjects.js"
import { mongoPlan } from "./support/mongoStore.js"
import {
  adminToken,
  call,
  checkout,
  PinoLoggerFor,
  postJson,
  readOrder,
  startTestServer,
} from "./support/server.js"

/** The server on the project's Mongo store (FerretDB or mongo-java-server on loopback, or MONGO_URL). */
describe("with MONGO_URI", () => {
  it("connects, ensures the indexes, says [db] connected, and runs checkout → pay → confirmed", async () => {
    const lines: Array<string> = []
    const logger = PinoLoggerFor(lines)
    const dbName = `settle_server_${randomBytes(6).toString("hex")}`
    const server = await startTestServer({
      storage: mongoPlan(dbName),
      logger,
    })
    try {
      expect(lines.some((line) => line.includes("[db] connected"))).toBe(true)
      const db = Option.getOrThrow(
        await server.runtime.runPromise(Effect.serviceOption(MongoDatabase.MongoDatabase)),
      ).db
      const indexes = await db.collection("stripewebhookevents").indexes()
      expect(indexes.map((index) => index.name)).toContain("stripeEventId_unique")

      // Nothing is seeded in Mongo: the admin API stocks the shop.
      const created = await postJson(
        `${server.url}/api/v1/admin/products`,
        {
          sku: "BEANS-1KG",
          name: "Espresso beans, 1 kg",
          price: { amount: 2400, currency: "EUR" },
          stock: 5,
        },
        { Authorization: `Bearer ${await adminToken()}` },
      )
      expect(created.status).toBe(201)
      const placed = await checkout(server)
      expect((await call(`${placed.paymentUrl}/pay`, { method: "POST" })).status).toBe(200)
      expect((await readOrder(server, placed)).body).toMatchObject({ order: { status: "confirmed" } })
      expect((await call(`${server.url}/readyz`)).status).toBe(200)
      await db.dropDatabase()
    } finally {
      await server.shutdown("test over")
    }
  })

  // Needs no Mongo server: run in one Mongo project only.
  itOnce("fails the bootstrap with the store's reason when it cannot connect", async () => {
    const attempt = startTestServer({
      // Refused by the driver before any network round trip: port out of range.
      storage: { _tag: "Mongo", uri: "mongodb://127.0.0.1:99999/", dbName: "x" },
    })
    await expect(attempt).rejects.toBeInstanceOf(BootstrapError)
    await expect(attempt).rejects.toThrow(/\[db\] cannot connect/)
  })
})
