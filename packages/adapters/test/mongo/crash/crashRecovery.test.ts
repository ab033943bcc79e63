import { spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { join } from "node:path"
import {
  CouponCode,
  CouponId,
  CouponRepository,
  createCheckout,
  ProductCatalog,
  ProductId,
  Sku,
} from "@settle/domain"
import { fakes, SandboxControl } from "@settle/testkit"
import { aCoupon, aProduct } from "@settle/testkit/fixtures"
import { Effect, Layer, Option } from "effect"
import { MongoClient } from "mongodb"
import { describe, expect, it } from "vitest"
import { ensureIndexes } from "../../../src/mongo/indexes.js"
import * as MongoDatabase from "../../../src/mongo/MongoDatabase.js"
import * as MongoStorage from "../../../src/mongo/MongoStorage.js"
import { mongoUrl } from "../../support/mongoStorage.js"

const repoRoot = join(import.meta.dirname, "../../../../..")
const child = join(import.meta.dirname, "deliverInChild.ts")
const at = new Date()

const runChild = (dbName: string, event: unknown, extra: Record<string, string>) =>
  // tsx as a loader, not its CLI: the CLI runs node in a child of its own, which would take the SIGKILL.
  spawnSync(process.execPath, ["--conditions=@settle/source", "--import", "tsx", child], {
    cwd: repoRoot,
    env: {
      ...process.env,
      MONGO_URL: mongoUrl(),
      SETTLE_DB: dbName,
      SETTLE_EVENT: JSON.stringify(event),
      ...extra,
    },
    encoding: "utf8",
    timeout: 60_000,
  })

/** A fresh database with one product and one coupon, and a checkout paid in the sandbox: the event to deliver. */
const paidCheckout = (dbName: string) =>
  Effect.gen(function* () {
    const { db } = yield* MongoDatabase.MongoDatabase
    yield* ensureIndexes(db)
    yield* (yield* ProductCatalog).insert(
      aProduct({
        id: ProductId.make("prod_crash"),
        sku: Sku.make("CRASH-1"),
        stock: { available: 5, reserved: 0, committed: 0 },
      }),
    )
    yield* (yield* CouponRepository).insert(
      aCoupon({
        id: CouponId.make("coupon_crash"),
        code: CouponCode.make("CRASH10"),
        maxRedemptions: 3,
        available: 3,
      }),
    )
    const { order } = yield* createCheckout({
      items: [{ sku: "CRASH-1", quantity: 2 }],
      currency: "EUR",
      email: "crash@example.com",
      couponCode: "CRASH10",
    })
    const event = yield* (yield* SandboxControl).pay(
      Option.getOrThrow(Option.fromNullable(order.payment.sessionId)),
    )
    return { orderId: order.id, event }
  }).pipe(
    Effect.provide(
      Layer.mergeAll(MongoStorage.layer, fakes(at)).pipe(
        Layer.provideMerge(MongoDatabase.layer({ uri: mongoUrl(), dbName })),
      ),
    ),
  )

/** The runbook's order-health and reconciliation queries, verbatim, plus the exactly-once books. */
const books = async (dbName: string, orderId: string) => {
  const client = await new MongoClient(mongoUrl()).connect()
  try {
    const db = client.db(dbName)
    const order = await db.collection("orders").findOne({ _id: orderId as never })
    const product = await db.collection("products").findOne({ _id: "prod_crash" as never })
    const coupon = await db.collection("coupons").findOne({ _id: "coupon_crash" as never })
    return {
      status: order?.status,
      processed: order?.webhook?.processedAt instanceof Date,
      paymentEntries: await db.collection("ledgerentries").countDocuments({ orderId, kind: "payment" }),
      stock: product?.stock,
      stockHolds: product?.holds?.length,
      coupon: {
        available: coupon?.available,
        reserved: coupon?.reservedCount,
        redeemed: coupon?.redeemedCount,
      },
      reservation: (await db.collection("couponreservations").findOne({ orderId }))?.status,
      paidButUnconfirmed: await db
        .collection("orders")
        .countDocuments({ status: "paid", "webhook.processedAt": null }),
      invoiceFailed: await db.collection("orders").countDocuments({ "invoice.status": "failed" }),
      leakedReservations: await db
        .collection("couponreservations")
        .countDocuments({ status: "reserved", expiresAt: { $lt: new Date() } }),
      unfinalizedEvents: await db
        .collection("stripewebhookevents")
        .countDocuments({ status: { $ne: "processed" } }),
    }
  } finally {
    await client.db(dbName).dropDatabase()
    await client.close()
  }
}

const finalizedOnce = {
  status: "confirmed",
  processed: true,
  paymentEntries: 1,
  stock: { available: 3, reserved: 0, committed: 2 },
  stockHolds: 0,
  coupon: { available: 2, reserved: 0, redeemed: 1 },
  reservation: "redeemed",
  paidButUnconfirmed: 0,
  invoiceFailed: 0,
  leakedReservations: 0,
  unfinalizedEvents: 0,
}

describe("crash recovery on the real store", () => {
  it("I1: a delivery SIGKILLed before any of its store calls, then redelivered or replayed, finalizes once", async () => {
    const cleanDb = `settle_crash_${randomBytes(4).toString("hex")}`
    const clean = await Effect.runPromise(paidCheckout(cleanDb))
    const counted = runChild(cleanDb, clean.event, {})
    expect(counted.status, counted.stderr).toBe(0)
    const { calls } = JSON.parse(counted.stdout.trim().split("\n").at(-1) ?? "{}") as { calls: number }
    expect(calls).toBeGreaterThan(5)
    expect(await books(cleanDb, clean.orderId)).toEqual(finalizedOnce)

    for (let k = 1; k <= calls; k++) {
      const dbName = `settle_crash_${randomBytes(4).toString("hex")}`
      const { orderId, event } = await Effect.runPromise(paidCheckout(dbName))
      const killed = runChild(dbName, event, { SETTLE_KILL_AT: String(k) })
      expect(killed.signal, `crash before store call ${k}`).toBe("SIGKILL")
      const recovered = runChild(dbName, event, { SETTLE_RECOVERY: k % 2 === 0 ? "replay" : "redeliver" })
      expect(recovered.status, `recovery after crash ${k}: ${recovered.stderr}`).toBe(0)
      expect(await books(dbName, orderId), `crash before store call ${k}`).toEqual(finalizedOnce)
    }
  }, 600_000)
})
