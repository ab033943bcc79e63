import { randomBytes } from "node:crypto"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { ensureIndexes, MongoDatabase, MongoStorage } from "@settle/adapters"
import {
  CouponReservationRepository,
  type OrderId,
  OrderRepository,
  SessionId,
  type StoragePorts,
} from "@settle/domain"
import { fakes, fixtures } from "@settle/testkit"
import { Context, Effect, Layer, ManagedRuntime } from "effect"
import { afterEach, describe, expect, inject, it } from "vitest"
import { mongoEnv } from "../support/mongoStore.js"
import { ADMIN_SECRET, adminToken, call } from "../support/server.js"
import { finishedRuns, killAll, metricOf, type Replica, startReplica, total } from "./processes.js"
import { checkout, couponOf, orderOf, payAndDeliver, stockOf, stockShop } from "./support.js"

afterEach(killAll)

const MINUTE = 60_000

/** A fresh database the test seeds through the domain's own ports, and reads back the same way. */
const seededStore = (dbName: string, clockAt: Date) => {
  const database = Layer.tap(MongoDatabase.layer({ uri: inject("mongoUrl"), dbName }), (context) =>
    ensureIndexes(Context.get(context, MongoDatabase.MongoDatabase).db),
  )
  const storage: Layer.Layer<StoragePorts | MongoDatabase.MongoDatabase, unknown> = Layer.provideMerge(
    MongoStorage.layer,
    database,
  )
  return ManagedRuntime.make(Layer.merge(storage, fakes(clockAt)))
}

const replicaEnv = (dbName: string, jobs: Readonly<Record<string, string>>) => ({
  ...mongoEnv(),
  MONGO_DB_NAME: dbName,
  ADMIN_JWT_SECRET: ADMIN_SECRET,
  LOG_LEVEL: "debug",
  JOB_EXPIRY_EVERY_SECONDS: "86400",
  JOB_REPAIR_EVERY_SECONDS: "86400",
  JOB_INVOICE_RETRY_EVERY_SECONDS: "86400",
  JOB_RECONCILE_EVERY_SECONDS: "86400",
  ...jobs,
})

const jobStatus = async (replica: Replica, job: string) => {
  const answer = await call(`${replica.url}/api/v1/admin/jobs`, {
    headers: { Authorization: `Bearer ${await adminToken()}` },
  })
  const body = answer.body as {
    replica: string
    jobs: ReadonlyArray<{
      name: string
      lease: { holder: string; acquiredAt: string; expiresAt: string } | null
    }>
  }
  return { replica: body.replica, lease: body.jobs.find((entry) => entry.name === job)?.lease ?? null }
}

describe("two server processes on one database", () => {
  it("run the jobs without double work: each reservation expired once, each invoice issued once", async () => {
    const dbName = `settle_replicas_${randomBytes(6).toString("hex")}`
    const store = seededStore(dbName, new Date(Date.now() - 2 * 60 * MINUTE))
    const PENDING = 24
    const CONFIRMED = 8
    try {
      const { pending, confirmed } = await store.runPromise(
        Effect.gen(function* () {
          yield* stockShop(100, 100)
          // Checked out two hours ago: their 35-minute reservations are long past.
          const pending: Array<OrderId> = []
          for (let i = 0; i < PENDING; i++) pending.push((yield* checkout(1, "SAVE10")).id)
          const confirmed: Array<OrderId> = []
          for (let i = 0; i < CONFIRMED; i++) {
            const order = yield* checkout(1, null)
            yield* payAndDeliver(order)
            confirmed.push(order.id)
          }
          return { pending, confirmed }
        }),
      )
      const env = replicaEnv(dbName, {
        PAYMENTS: "sandbox",
        INVOICE_MODE: "stripe",
        JOB_EXPIRY_EVERY_SECONDS: "1",
        JOB_INVOICE_RETRY_EVERY_SECONDS: "1",
        JOB_LEASE_SECONDS: "5",
      })
      const replicas = await Promise.all([startReplica(env), startReplica(env)])

      const settled = Effect.gen(function* () {
        const expired = yield* Effect.forEach(pending, orderOf)
        const invoiced = yield* Effect.forEach(confirmed, orderOf)
        return (
          expired.every((order) => order.status === "expired") &&
          invoiced.every((order) => order.invoice.status === "issued")
        )
      })
      await expect.poll(() => store.runPromise(settled), { timeout: 30_000, interval: 250 }).toBe(true)
      // A few more rounds on both replicas: finding nothing left to do, they must do nothing.
      await new Promise((resolve) => setTimeout(resolve, 2_500))
      const issuedCounted = await Promise.all(
        replicas.map((replica) => metricOf(replica, 'invoice_issue_total{status="success"}')),
      )
      const exits = await Promise.all(replicas.map((replica) => replica.kill("SIGTERM")))
      expect(exits).toEqual([0, 0])

      expect(total(replicas, "expiry", "ordersExpired")).toBe(PENDING)
      expect(total(replicas, "invoice-retry", "issued")).toBe(CONFIRMED)
      expect(total(replicas, "invoice-retry", "failed")).toBe(0)
      expect(issuedCounted.reduce((sum, n) => sum + n, 0)).toBe(CONFIRMED)
      // Both replicas took turns, each run under its own holder.
      for (const replica of replicas) {
        const runs = [...finishedRuns(replica, "expiry"), ...finishedRuns(replica, "invoice-retry")]
        expect(runs.length).toBeGreaterThan(0)
      }

      await store.runPromise(
        Effect.gen(function* () {
          for (const id of confirmed) {
            expect((yield* orderOf(id)).invoice).toMatchObject({ status: "issued", attempts: 1 })
          }
          // Released exactly once: a second release would have given back stock and coupon twice.
          expect(yield* stockOf).toEqual({ available: 100 - CONFIRMED, reserved: 0, committed: CONFIRMED })
          expect(yield* couponOf("SAVE10")).toMatchObject({
            available: 100,
            reservedCount: 0,
            redeemedCount: 0,
          })
          const reservations = yield* CouponReservationRepository
          expect(yield* reservations.countLeaked(new Date())).toBe(0)
          const coupon = yield* couponOf("SAVE10")
          const records = yield* reservations.listByCoupon(coupon.id, "expired")
          expect(records).toHaveLength(PENDING)
        }),
      )
    } finally {
      await store.runPromise(
        Effect.flatMap(MongoDatabase.MongoDatabase, ({ db }) => Effect.promise(() => db.dropDatabase())),
      )
      await store.dispose()
    }
  })

  it("hand a job over when its holder is killed mid-run, once the lease expires", async () => {
    const dbName = `settle_takeover_${randomBytes(6).toString("hex")}`
    // Stripe's API as an outage leaves it: requests are accepted and never answered, so a reconcile
    // run hangs on its first session, holding (and renewing) the lease until its process dies.
    const hanging: Array<ServerResponse> = []
    const stripe = createServer((_, response) => hanging.push(response))
    await new Promise<void>((resolve) => stripe.listen(0, "127.0.0.1", resolve))
    const store = seededStore(dbName, new Date())
    try {
      await store.runPromise(
        Effect.flatMap(OrderRepository, (orders) =>
          orders.insert(
            fixtures.anOrder({
              status: "pending",
              payment: fixtures.aPayment({ sessionId: SessionId.make("cs_test_stuck") }),
              expiresAt: new Date(Date.now() + 20 * MINUTE),
              createdAt: new Date(Date.now() - 15 * MINUTE),
              updatedAt: new Date(Date.now() - 15 * MINUTE),
            }),
          ),
        ),
      )
      const env = replicaEnv(dbName, {
        STRIPE_SECRET_KEY: "sk_test_settleReplicas",
        STRIPE_WEBHOOK_SECRET: "whsec_c2V0dGxlLXJlcGxpY2FzLXRlc3Q",
        STRIPE_API_BASE_URL: `http://127.0.0.1:${(stripe.address() as AddressInfo).port}`,
        JOB_RECONCILE_EVERY_SECONDS: "1",
        JOB_LEASE_SECONDS: "3",
      })
      const started = await Promise.all([startReplica(env), startReplica(env)])
      await expect.poll(() => hanging.length, { timeout: 10_000 }).toBeGreaterThan(0)
      // Whichever replica's run took the lease first is the holder; the other must wait.
      const statuses = await Promise.all(started.map((replica) => jobStatus(replica, "reconcile")))
      const holderAt = statuses.findIndex((status) => status.lease?.holder.startsWith(`${status.replica}/`))
      expect(holderAt).not.toBe(-1)
      const [first, second] = holderAt === 0 ? started : [started[1], started[0]]
      const held = statuses[holderAt]
      if (first === undefined || second === undefined || held === undefined) throw new Error("two replicas")
      const refused = await call(`${second.url}/api/v1/admin/jobs/reconcile/run`, {
        method: "POST",
        headers: { Authorization: `Bearer ${await adminToken()}`, "Content-Type": "application/json" },
        body: JSON.stringify({ reason: "is anyone reconciling?" }),
      })
      expect(refused.status).toBe(409)
      // Past its first lease period the holder has renewed: the second replica only ever skips.
      await new Promise((resolve) => setTimeout(resolve, 4_000))
      const renewed = await jobStatus(second, "reconcile")
      expect(renewed.lease?.holder).toBe(held.lease?.holder)
      expect(Date.parse(renewed.lease?.expiresAt ?? "")).toBeGreaterThan(
        Date.parse(held.lease?.expiresAt ?? ""),
      )
      expect(second.logs().some((record) => record.msg.startsWith("[jobs.reconcile] skipped:"))).toBe(true)

      const killedAt = Date.now()
      await first.kill("SIGKILL")
      const lastExpiry = Date.parse((await jobStatus(second, "reconcile")).lease?.expiresAt ?? "")
      const takenBySecond = async () => {
        const now = await jobStatus(second, "reconcile")
        return now.lease?.holder.startsWith(`${now.replica}/`) === true
      }
      await expect.poll(takenBySecond, { timeout: 10_000, interval: 100 }).toBe(true)
      const taken = await jobStatus(second, "reconcile")
      // Not a moment before the dead holder's lease ran out.
      expect(Date.parse(taken.lease?.acquiredAt ?? "")).toBeGreaterThanOrEqual(lastExpiry)
      expect(Date.now() - killedAt).toBeLessThan(10_000)

      // A clean stop releases the lease it holds, recording the interrupted run.
      expect(await second.kill("SIGTERM")).toBe(0)
      const after = await store.runPromise(
        Effect.flatMap(MongoDatabase.MongoDatabase, ({ db }) =>
          Effect.promise(() =>
            db.collection("jobleases").find({ job: "reconcile" }).sort({ generation: -1 }).limit(1).toArray(),
          ),
        ),
      )
      expect(after[0]).toMatchObject({
        holder: null,
        lastRun: { outcome: "failed", error: "interrupted: the replica shut down mid-run" },
      })
    } finally {
      for (const response of hanging) response.destroy()
      stripe.close()
      await store.runPromise(
        Effect.flatMap(MongoDatabase.MongoDatabase, ({ db }) => Effect.promise(() => db.dropDatabase())),
      )
      await store.dispose()
    }
  })
})
