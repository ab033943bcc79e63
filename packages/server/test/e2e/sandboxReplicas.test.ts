import { randomBytes } from "node:crypto"
import { MongoDatabase } from "@settle/adapters"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { mongoEnv } from "../support/mongoStore.js"
import { call } from "./support/http.js"
import { type ServerProcess, startServerProcess } from "./support/serverProcess.js"
import {
  cartOf,
  checkout,
  createProduct,
  orderOf,
  type Placed,
  SECRETS,
  sessionIdOf,
  stockOf,
} from "./support/shop.js"

// Two processes of PAYMENTS=sandbox on one database: the ids each opens must not collide with the
// other's (a sequential cs_1 on both would be a duplicate key, answered 503 STORE_UNAVAILABLE, and a
// repeated evt_1 would be taken for a redelivery and never finalize the second order).
const dbName = `settle_e2e_sandbox_${randomBytes(6).toString("hex")}`
const uri = `${inject("mongoUrl").replace(/\/+$/, "")}/${dbName}`

const env = () => ({ ...SECRETS, ...mongoEnv(uri), PAYMENTS: "sandbox" })

let replicas: ReadonlyArray<ServerProcess> = []
beforeAll(async () => {
  replicas = await Promise.all([startServerProcess(env()), startServerProcess(env())])
})
afterAll(async () => {
  expect(await Promise.all(replicas.map((replica) => replica.stop()))).toEqual([0, 0])
  await Effect.runPromise(
    Effect.flatMap(MongoDatabase.MongoDatabase, ({ db }) => Effect.promise(() => db.dropDatabase())).pipe(
      Effect.provide(MongoDatabase.layer({ uri, dbName })),
    ),
  )
})

interface Paid {
  readonly delivery: {
    readonly status: number
    readonly response: { readonly outcome: { readonly status: string } }
  }
}

/** Presses Pay on `replica`'s own pay page: it signs and delivers the event to its own webhook. */
const payOn = async (replica: ServerProcess, placed: Placed) => {
  const paid = await call(`${placed.paymentUrl}/pay`, { method: "POST" })
  expect(paid.status).toBe(200)
  expect((paid.body as Paid).delivery).toMatchObject({
    status: 200,
    response: { outcome: { status: "processed" } },
  })
  expect(await orderOf(replica.baseUrl, placed)).toMatchObject({ status: "confirmed" })
}

describe("PAYMENTS=sandbox on two server processes sharing one MongoDB database", () => {
  it("both take new checkouts, and a payment on the second is processed, not a duplicate", async () => {
    const [first, second] = replicas
    if (first === undefined || second === undefined) throw new Error("two replicas expected")
    const product = await createProduct(first.baseUrl, 5)
    const onFirst = await checkout(first.baseUrl, cartOf(product, 1))
    const onSecond = await checkout(second.baseUrl, cartOf(product, 1))
    expect(sessionIdOf(onSecond)).not.toBe(sessionIdOf(onFirst))
    await payOn(first, onFirst)
    await payOn(second, onSecond)
    expect(await stockOf(second.baseUrl, product)).toEqual({ available: 3, reserved: 0, committed: 2 })
  })

  it("a process restarted on the same database takes new checkouts and finalizes them", async () => {
    const before = await startServerProcess(env())
    const product = await createProduct(before.baseUrl, 5)
    const paidBefore = await checkout(before.baseUrl, cartOf(product, 1))
    await payOn(before, paidBefore)
    // Left open across the restart: its stock stays held by the order in the database.
    await checkout(before.baseUrl, cartOf(product, 1))
    expect(await before.stop()).toBe(0)
    const after = await startServerProcess(env())
    try {
      const placed = await checkout(after.baseUrl, cartOf(product, 1))
      expect(sessionIdOf(placed)).not.toBe(sessionIdOf(paidBefore))
      await payOn(after, placed)
      expect(await stockOf(after.baseUrl, product)).toEqual({ available: 2, reserved: 1, committed: 2 })
    } finally {
      expect(await after.stop()).toBe(0)
    }
  })
})
