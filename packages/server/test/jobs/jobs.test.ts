import {
  CouponCode,
  CouponRepository,
  DEFAULT_RESERVATION_TTL_MS,
  JobLeases,
  Ledger,
  PaymentIntentId,
} from "@settle/domain"
import { fixtures, InvoiceControl, MetricsProbe } from "@settle/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import {
  advance,
  checkout,
  couponOf,
  leakedAt,
  leaseOf,
  orderOf,
  payAndDeliver,
  payAtSandbox,
  runInWorld,
  runJob,
  stockOf,
  stockShop,
  stores,
} from "./support.js"

const MINUTE = 60_000
const invoiceMetric = (status: "success" | "failure") =>
  Effect.flatMap(MetricsProbe, (probe) => probe.value("invoice_issue_total", { status }))

describe.each(stores)("the jobs on the $name store", ({ storage }) => {
  it("expiry: expires a pending order past its reservation, gives back stock and coupon, records the run", async () => {
    const logs: Array<string> = []
    await runInWorld(
      storage,
      Effect.gen(function* () {
        yield* stockShop(5)
        const order = yield* checkout(2)
        yield* advance(DEFAULT_RESERVATION_TTL_MS + MINUTE)
        const run = yield* runJob("expiry")
        expect(run).toMatchObject({
          outcome: "succeeded",
          report: { ordersExpired: 1, reservationsExpired: 0, reservationsRedeemed: 0 },
          error: null,
        })
        expect((yield* orderOf(order.id)).status).toBe("expired")
        expect(yield* stockOf).toEqual({ available: 5, reserved: 0, committed: 0 })
        expect(yield* couponOf("SAVE10")).toMatchObject({ available: 10, reservedCount: 0 })
        expect(yield* leakedAt(fixtures.minute(60))).toBe(0)
        // Released with the run's record, which every replica's status reads.
        expect(yield* leaseOf("expiry")).toEqual({
          job: "expiry",
          holder: null,
          acquiredAt: null,
          expiresAt: null,
          lastRun: run,
        })
        expect((yield* runJob("expiry")).report).toEqual({
          ordersExpired: 0,
          reservationsExpired: 0,
          reservationsRedeemed: 0,
        })
      }),
      { logs },
    )
    expect(logs).toContain("INFO [jobs.expiry] expired 1 orders, 0 coupon reservations")
    expect(
      logs.some((line) => /^INFO \[jobs\.expiry\] finished in \d+ ms: ordersExpired=1 /.test(line)),
    ).toBe(true)
    // The second run found nothing to do: not worth an info line.
    expect(logs.filter((line) => line.startsWith("INFO [jobs.expiry] finished"))).toHaveLength(1)
  })

  it("repair: recomputes coupon counters from their holds and reports the drift", () =>
    runInWorld(
      storage,
      Effect.gen(function* () {
        const drifted = fixtures.aCoupon({
          code: CouponCode.make("DRIFT"),
          maxRedemptions: 10,
          available: 5,
          reservedCount: 3,
          redeemedCount: 2,
        })
        yield* (yield* CouponRepository).insert(drifted)
        const run = yield* runJob("repair")
        expect(run.report).toEqual({
          holdsReleased: 0,
          reservationsSettled: 0,
          couponsDrifted: 1,
          drift: [
            {
              couponId: drifted.id,
              code: "DRIFT",
              before: { available: 5, reservedCount: 3 },
              after: { available: 8, reservedCount: 0 },
            },
          ],
          couponsMisrecorded: 0,
          recordDrift: [],
        })
        expect(yield* couponOf("DRIFT")).toMatchObject({ available: 8, reservedCount: 0, redeemedCount: 2 })
        expect((yield* leaseOf("repair"))?.lastRun?.report).toEqual(run.report)
        expect((yield* runJob("repair")).report).toMatchObject({ couponsDrifted: 0, drift: [] })
      }),
    ))

  it("invoice retry: issues each due invoice once, counts each attempt once, backs off after a failure", () =>
    runInWorld(
      storage,
      Effect.gen(function* () {
        yield* stockShop(5)
        const first = yield* checkout(1, null)
        const second = yield* checkout(1, null)
        yield* payAndDeliver(first)
        yield* payAndDeliver(second)
        const provider = yield* InvoiceControl
        yield* provider.setFailing(1)
        expect((yield* runJob("invoice-retry")).report).toMatchObject({ issued: 1, failed: 1 })
        const failed = [yield* orderOf(first.id), yield* orderOf(second.id)].find(
          (order) => order.invoice.status === "failed",
        )
        expect(failed?.invoice).toMatchObject({
          attempts: 1,
          lastError: "invoice provider unavailable (simulated)",
        })
        // Backing off: not due again until its nextAttemptAt.
        expect((yield* runJob("invoice-retry")).report).toMatchObject({ issued: 0, failed: 0 })
        yield* advance(MINUTE + 1)
        expect((yield* runJob("invoice-retry")).report).toMatchObject({ issued: 1, failed: 0 })
        for (const id of [first.id, second.id]) {
          expect((yield* orderOf(id)).invoice).toMatchObject({ status: "issued", number: expect.any(String) })
        }
        expect(yield* provider.issued).toHaveLength(2)
        expect(yield* provider.calls).toBe(3)
        expect(yield* invoiceMetric("success")).toBe(2)
        expect(yield* invoiceMetric("failure")).toBe(1)
      }),
    ))

  it("reconcile: finalizes a paid order whose webhook never came, once it is 10 minutes stale", () =>
    runInWorld(
      storage,
      Effect.gen(function* () {
        yield* stockShop(5)
        const order = yield* checkout(2)
        const event = yield* payAtSandbox(order)
        yield* advance(9 * MINUTE)
        expect((yield* runJob("reconcile")).report).toMatchObject({ checked: 0, finalized: 0 })
        yield* advance(2 * MINUTE)
        expect((yield* runJob("reconcile")).report).toEqual({
          checked: 1,
          finalized: 1,
          expired: 0,
          review: 0,
          failed: 0,
        })
        const confirmed = yield* orderOf(order.id)
        expect(confirmed.status).toBe("confirmed")
        expect(confirmed.webhook.processedAt).not.toBeNull()
        const entries = yield* (yield* Ledger).listByOrder(order.id)
        expect(entries.map((entry) => [entry.kind, entry.externalId])).toEqual([
          ["payment", PaymentIntentId.make(event.paymentIntentId)],
        ])
        expect(yield* stockOf).toEqual({ available: 3, reserved: 0, committed: 2 })
      }),
    ))

  it("refuses a run while another holder's lease is live, and runs once it has expired", () =>
    runInWorld(
      storage,
      Effect.gen(function* () {
        const leases = yield* JobLeases
        expect(yield* leases.acquire("expiry", "other-replica/7", fixtures.T0, 5 * MINUTE)).toBe(true)
        const busy = yield* Effect.flip(runJob("expiry"))
        expect(busy).toMatchObject({ _tag: "JobBusy", job: "expiry", holder: "other-replica/7" })
        expect((yield* leaseOf("expiry"))?.lastRun).toBeNull()
        yield* advance(5 * MINUTE)
        expect((yield* runJob("expiry")).outcome).toBe("succeeded")
        expect(yield* leaseOf("expiry")).toMatchObject({ holder: null, lastRun: { outcome: "succeeded" } })
      }),
    ))
})
