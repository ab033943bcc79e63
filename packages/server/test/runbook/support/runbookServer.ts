import { randomBytes } from "node:crypto"
import { MongoDatabase } from "@settle/adapters"
import { OrderRepository, StoreError } from "@settle/domain"
import { ClockControl, ControlledClock } from "@settle/testkit"
import { Context, Effect, Layer, Option } from "effect"
import { inject } from "vitest"
import type { RunningServer, ServerSettings } from "../../../src/bootstrap/start.js"
import type { AppServices } from "../../../src/runtime.js"
import { mongoPlan } from "../../support/mongoStore.js"
import {
  type Answer,
  adminToken,
  call,
  metric,
  PinoLoggerFor,
  startTestServer,
} from "../../support/server.js"

/** The order writes a test can make fail once, as a store failover would between two steps. */
export type OrderWrite = "transition" | "markFinalized"

/** One pino line of the server, with its annotations (stripeEventId, orderId, …) as fields. */
export interface LogLine {
  readonly level: number
  readonly msg: string
  readonly [field: string]: unknown
}

export interface RunbookServer {
  readonly server: RunningServer
  /** The environment `pnpm ops` needs to reach this server's database. */
  readonly opsEnv: Readonly<Record<string, string>>
  /** Makes the next call of `write` fail with StoreError, once. */
  readonly failNext: (write: OrderWrite) => void
  /** Moves the server's clock (it stands still otherwise): the broken state can be made in the past. */
  readonly setClock: (date: Date) => Promise<void>
  readonly advanceClock: (ms: number) => Promise<void>
  readonly logs: () => ReadonlyArray<LogLine>
  /** An admin call with `Authorization: Bearer <token>`, as the runbook's curl lines make it. */
  readonly admin: (method: string, path: string, body?: unknown) => Promise<Answer>
  /** A series' value on the server's own GET /metrics. */
  readonly metric: (series: string) => Promise<number>
  readonly db: () => Promise<MongoDatabase.MongoDatabase["db"]>
  /** Drops the database; call it before the test ends (the server is shut down after each test). */
  readonly drop: () => Promise<void>
}

/**
 * The store with one-shot failures of the order writes a crash window lies between, and a clock the
 * test moves: the broken states of the runbook made by the server's own code, only at a chosen point.
 */
const brokenAt = (armed: Set<OrderWrite>, start: Date) => (layer: Layer.Layer<AppServices, unknown>) => {
  const take = (write: OrderWrite) => armed.delete(write)
  const crash = (write: OrderWrite) =>
    Effect.fail(
      new StoreError({ message: `[db] orders.${write} failed: connection reset (simulated failover)` }),
    )
  const patched = Layer.map(layer, (context) => {
    const orders = Context.get(context, OrderRepository)
    return Context.add(
      context,
      OrderRepository,
      OrderRepository.of({
        ...orders,
        transition: (...args) => (take("transition") ? crash("transition") : orders.transition(...args)),
        markFinalized: (...args) =>
          take("markFinalized") ? crash("markFinalized") : orders.markFinalized(...args),
      }),
    )
  })
  // Later in the merge wins: every use-case reads this Clock, admin tokens keep the real time.
  return Layer.merge(patched, ControlledClock.layer(start))
}

/**
 * A fresh in-process server on a database of its own on the run's FerretDB (or MONGO_URL), in sandbox
 * mode, with its logs kept. `clockStart` is the server's "now" until the test moves it.
 */
export const startRunbookServer = async (
  options: { readonly clockStart?: Date; readonly settings?: Partial<ServerSettings> } = {},
): Promise<RunbookServer> => {
  const dbName = `settle_runbook_${randomBytes(6).toString("hex")}`
  const uri = inject("mongoUrl")
  const lines: Array<string> = []
  const armed = new Set<OrderWrite>()
  const server = await startTestServer({
    storage: mongoPlan(dbName, uri),
    logger: PinoLoggerFor(lines),
    // The sandbox's expiry sweep would settle abandoned checkouts behind the test's back.
    sandboxExpiryEveryMs: 24 * 60 * 60_000,
    overrideLayer: brokenAt(armed, options.clockStart ?? new Date()),
    ...options.settings,
  })
  const clock = async () =>
    Option.getOrThrow(await server.runtime.runPromise(Effect.serviceOption(ClockControl)))
  const db = async () =>
    Option.getOrThrow(await server.runtime.runPromise(Effect.serviceOption(MongoDatabase.MongoDatabase))).db
  return {
    server,
    opsEnv: { MONGO_URI: uri, MONGO_DB_NAME: dbName },
    failNext: (write) => {
      armed.add(write)
    },
    setClock: async (date) => Effect.runPromise((await clock()).set(date)),
    advanceClock: async (ms) => Effect.runPromise((await clock()).advance(ms)),
    logs: () => lines.map((line) => JSON.parse(line) as LogLine),
    admin: async (method, path, body) =>
      call(`${server.url}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${await adminToken()}`,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    metric: (series) => metric(server, series),
    db,
    drop: async () => {
      await (await db()).dropDatabase()
    },
  }
}

/** Runs `body` on a fresh runbook server and drops its database however `body` ends. */
export const withRunbookServer = async (
  body: (rb: RunbookServer) => Promise<void>,
  options: Parameters<typeof startRunbookServer>[0] = {},
): Promise<void> => {
  const rb = await startRunbookServer(options)
  try {
    await body(rb)
  } finally {
    await rb.drop()
  }
}
