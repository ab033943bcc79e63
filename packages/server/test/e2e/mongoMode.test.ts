import { randomBytes } from "node:crypto"
import { MongoDatabase } from "@settle/adapters"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { mongoEnv } from "../support/mongoStore.js"
import { call } from "./support/http.js"
import { type ServerProcess, startServerProcess } from "./support/serverProcess.js"
import { cartOf, checkout, createProduct, orderOf, SECRETS, stockOf } from "./support/shop.js"

// A database of its own on the project's Mongo server, dropped afterwards.
const dbName = `settle_e2e_${randomBytes(6).toString("hex")}`
const uri = `${inject("mongoUrl").replace(/\/+$/, "")}/${dbName}`

const dropDatabase = () =>
  Effect.runPromise(
    Effect.flatMap(MongoDatabase.MongoDatabase, ({ db }) => Effect.promise(() => db.dropDatabase())).pipe(
      Effect.provide(MongoDatabase.layer({ uri, dbName })),
    ),
  )

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess({ ...SECRETS, ...mongoEnv(uri), PAYMENTS: "sandbox", LOG_LEVEL: "info" })
})
afterAll(async () => {
  expect(await server.stop()).toBe(0)
  await dropDatabase()
})

describe("with MONGO_URI", () => {
  it("logs [db] connected and runs checkout → sandbox pay → confirmed on the store", async () => {
    expect(server.output().stdout).toContain("[db] connected")
    expect(server.output().stderr).toContain(`MongoDB (database ${dbName})`)
    expect((await call(`${server.baseUrl}/readyz`)).status).toBe(200)
    const product = await createProduct(server.baseUrl, 4)
    const placed = await checkout(server.baseUrl, cartOf(product, 2))
    expect((await call(`${placed.paymentUrl}/pay`, { method: "POST" })).status).toBe(200)
    expect(await orderOf(server.baseUrl, placed)).toMatchObject({ status: "confirmed" })
    expect(await stockOf(server.baseUrl, product)).toEqual({ available: 2, reserved: 0, committed: 2 })
  })
})
