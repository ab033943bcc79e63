import { randomBytes } from "node:crypto"
import { MongoDatabase } from "@settle/adapters"
import { Ledger, type LedgerEntry, type Order, OrderId, OrderRepository } from "@settle/domain"
import { Effect, Option } from "effect"
import { expect } from "vitest"
import type { RunningServer, ServerSettings } from "../../src/bootstrap/start.js"
import type { AppServices } from "../../src/runtime.js"
import { mongoPlan } from "./mongoStore.js"
import {
  adminToken,
  type CheckoutBody,
  call,
  checkout,
  deliver,
  onServer,
  sandboxControl,
  sessionOf,
  startTestServer,
} from "./server.js"

/** Shared by the admin order, refund, replay and health tests. */

/** Runs an Effect on the server's runtime, with its stores: how tests write a broken state directly. */
export const onStore = <A, E>(server: RunningServer, effect: Effect.Effect<A, E, AppServices>): Promise<A> =>
  server.runtime.runPromise(effect)

export const bearer = async (): Promise<Record<string, string>> => ({
  Authorization: `Bearer ${await adminToken()}`,
})

export const adminGet = async (url: string) => call(url, { headers: await bearer() })

export const adminPost = async (url: string, body: unknown) =>
  call(url, {
    method: "POST",
    headers: { ...(await bearer()), "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  })

/** A checkout paid in the sandbox and its event delivered: a confirmed order. */
export const confirmedOrder = async (server: RunningServer): Promise<CheckoutBody> => {
  const placed = await checkout(server)
  const event = await onServer(server, (await sandboxControl(server)).pay(sessionOf(placed)))
  expect((await deliver(server, event)).status).toBe(200)
  return placed
}

export const storedOrder = async (server: RunningServer, id: string): Promise<Order> =>
  Option.getOrThrow(
    await onStore(
      server,
      Effect.flatMap(OrderRepository, (orders) => orders.findById(OrderId.make(id))),
    ),
  )

export const insertOrders = (server: RunningServer, ...orders: ReadonlyArray<Order>) =>
  onStore(
    server,
    Effect.flatMap(OrderRepository, (repository) =>
      Effect.forEach(orders, (order) => repository.insert(order), { discard: true }),
    ),
  )

export const ledgerOf = (server: RunningServer, id: string): Promise<ReadonlyArray<LedgerEntry>> =>
  onStore(
    server,
    Effect.flatMap(Ledger, (ledger) => ledger.listByOrder(OrderId.make(id))),
  )

/** A server on the run's wire-protocol store (FerretDB, or MONGO_URL) in a database of its own. */
export const mongoSettings = (): Partial<ServerSettings> => ({
  storage: mongoPlan(`settle_admin_${randomBytes(6).toString("hex")}`),
})

export const databaseOf = async (server: RunningServer) =>
  Option.getOrThrow(await server.runtime.runPromise(Effect.serviceOption(MongoDatabase.MongoDatabase))).db

/** Mongo starts empty: the admin API stocks the product the test cart buys. */
export const stockBeans = async (server: RunningServer): Promise<void> => {
  const created = await adminPost(`${server.url}/api/v1/admin/products`, {
    sku: "BEANS-1KG",
    name: "Espresso beans, 1 kg",
    price: { amount: 2400, currency: "EUR" },
    stock: 20,
  })
  expect(created.status).toBe(201)
}

/** A Mongo-backed server with the beans in stock; its database is dropped when `body` ends. */
export const withMongoServer = async (
  body: (server: RunningServer) => Promise<void>,
  settings: Partial<ServerSettings> = {},
): Promise<void> => {
  const server = await startTestServer({ ...mongoSettings(), ...settings })
  try {
    await stockBeans(server)
    await body(server)
  } finally {
    await (await databaseOf(server)).dropDatabase()
  }
}
