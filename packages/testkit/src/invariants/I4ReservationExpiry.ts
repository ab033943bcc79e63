import {
  CouponReservationRepository,
  expireReservations,
  handlePaymentEvent,
  isFinalized,
  money,
  type Order,
  repairReservations,
} from "@settle/domain"
import { Effect, Either, Exit, type Layer } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { callCount } from "../faults/FaultInjection.js"
import { aCoupon, T0 } from "../fixtures.js"
import type { StoragePorts } from "../world.js"
import { type PropertyOptions, propertyRuns, propertyTimeout, yieldingEachRun } from "./propertyRuns.js"
import {
  advanceTo,
  checkout,
  deliver,
  payEvent,
  paymentFailedEvent,
  plentifulProduct,
  sessionExpiredEvent,
} from "./support/I345Actions.js"
import { couponViolations, type Snapshot, snapshot } from "./support/I345Checks.js"
import { crashing, type Runner, stock, withWorld } from "./support/I345World.js"

/** The state an order is left in before the expiry job runs. */
type Fate = "pending" | "paidCrashed" | "confirmed" | "review" | "cancelled" | "sessionExpired"

const planned = fc.record({
  coupon: fc.integer({ min: 0, max: 1 }),
  lines: fc.integer({ min: 1, max: 2 }),
  /** Seconds after T0: orders are created over 40 minutes, so their 30-minute expiries straddle t. */
  createdAt: fc.integer({ min: 0, max: 40 * 60 }),
  fate: fc.constantFrom<Fate>("pending", "paidCrashed", "confirmed", "review", "cancelled", "sessionExpired"),
  crash: fc.nat(),
})

const scenario = fc.record({
  orders: fc.array(planned, { minLength: 1, maxLength: 8 }),
  /** Seconds from the last checkout to the expiry job's run. */
  wait: fc.integer({ min: 0, max: 90 * 60 }),
  /** Where in the job's port calls the crash lands, as a fraction of a clean run's calls. */
  crashAt: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
})
type Scenario = typeof scenario extends fc.Arbitrary<infer A> ? A : never

// Fixed ids so two worlds built from one scenario hold identical documents.
const coupons = [
  aCoupon({ maxRedemptions: 10, available: 10 }),
  aCoupon({ maxRedemptions: 10, available: 10, discount: { _tag: "amount", amount: money(500, "EUR") } }),
]
const products = [plentifulProduct(41), plentifulProduct(42)]

/**
 * Calls a delivery makes before touching the coupon: inbox, pending → paid (the event names the order,
 * and the write verifies session and amount; its answer is the paid order, not read again), ledger,
 * then one stock commit per line. Crashing at 3..4+lines leaves the order paid with its coupon unit
 * still held and its reservation still `reserved`: the runbook's crash window.
 */
const beforeRedeem = (lines: number, crash: number) => 3 + (crash % (lines + 2))

/** Build the scenario's orders in `world`, stopping just before the expiry job; returns the job's time. */
const build = (world: Runner, plan: Scenario) =>
  Effect.gen(function* () {
    yield* stock(products, coupons)
    const made: Array<{ readonly order: Order; readonly fate: Fate }> = []
    for (const p of [...plan.orders].sort((a, b) => a.createdAt - b.createdAt)) {
      yield* advanceTo(new Date(T0.getTime() + p.createdAt * 1000))
      const outcome = yield* checkout({
        items: products.slice(0, p.lines).map((product) => ({ sku: product.sku, quantity: 1 })),
        currency: "EUR",
        email: "ada@example.com",
        couponCode: coupons[p.coupon % coupons.length]?.code,
      })
      if (Either.isLeft(outcome)) return yield* Effect.dieMessage(`checkout refused: ${outcome.left._tag}`)
      const order = outcome.right.order
      made.push({ order, fate: p.fate })
      if (p.fate === "confirmed") yield* deliver(yield* payEvent(order))
      if (p.fate === "review") yield* deliver(yield* payEvent(order, { amount: order.totals.total + 1 }))
      if (p.fate === "cancelled") yield* deliver(yield* paymentFailedEvent(order))
      if (p.fate === "sessionExpired") yield* deliver(yield* sessionExpiredEvent(order))
      if (p.fate === "paidCrashed") {
        const event = yield* payEvent(order)
        if (event !== null) yield* crashing(beforeRedeem(p.lines, p.crash), handlePaymentEvent(event))
      }
    }
    const last = Math.max(...plan.orders.map((p) => p.createdAt))
    const t = new Date(T0.getTime() + (last + plan.wait) * 1000)
    yield* advanceTo(t)
    return { made, t }
  }).pipe(world.run)

const STATUS_OF: Record<Fate, Order["status"]> = {
  pending: "pending",
  paidCrashed: "paid",
  confirmed: "confirmed",
  review: "payment_review",
  cancelled: "cancelled",
  sessionExpired: "expired",
}

/** I4 and what the job owes each order at `t`, checked against the fate it was given. */
const expectSettled = (
  s: Snapshot,
  made: ReadonlyArray<{ readonly order: Order; readonly fate: Fate }>,
  t: Date,
) => {
  expect(couponViolations(s)).toEqual([])
  for (const { order: created, fate } of made) {
    const order = s.orders.find((o) => o.id === created.id)
    const record = s.reservations.find((r) => r.orderId === created.id)
    const coupon = s.coupons.find((c) => c.id === created.couponId)
    const hold = coupon?.holds.some((h) => h.orderId === created.id) ?? false
    const late = created.expiresAt < t
    const tag = `order ${created.id} (${order?.status}, expires ${created.expiresAt.toISOString()}, t ${t.toISOString()})`
    if (order === undefined || record === undefined)
      return expect.fail(`${tag}: missing order or reservation`)
    // The fate still says what the order is: the job only ever moves a late pending order to expired.
    expect(order.status, tag).toBe(fate === "pending" && late ? "expired" : STATUS_OF[fate])
    if (order.status === "paid" || isFinalized(order.status)) {
      // A verified payment keeps its unit: redeemed once due, before that redeemed or still held for it.
      expect(late ? ["redeemed"] : ["redeemed", "reserved"], tag).toContain(record.status)
      expect(hold, tag).toBe(record.status === "reserved")
    } else if (order.status === "cancelled" || order.status === "expired") {
      expect(["released", "expired"], tag).toContain(record.status)
      expect(hold, tag).toBe(false)
    } else {
      // pending or payment_review: past its expiry it gives its unit back, before it keeps it.
      expect(order.status === "pending" && late, tag).toBe(false)
      expect(record.status, tag).toBe(late ? "expired" : "reserved")
      expect(hold, tag).toBe(!late)
    }
  }
  for (const coupon of s.coupons) {
    const redeemed = s.reservations.filter((r) => r.couponId === coupon.id && r.status === "redeemed")
    expect(coupon.redeemedCount, `coupon ${coupon.code} redeemedCount`).toBe(redeemed.length)
  }
}

const leaks = (t: Date) =>
  Effect.gen(function* () {
    const reservations = yield* CouponReservationRepository
    return { count: yield* reservations.countLeaked(t), found: yield* reservations.findLeaked(t, 1000) }
  })

/** What "the same end state" compares: statuses, records, counters and holds, stock. */
const essence = (s: Snapshot) => ({
  orders: s.orders.map((o) => ({ id: o.id, status: o.status, holdEpoch: o.holdEpoch })),
  reservations: s.reservations.map((r) => ({ orderId: r.orderId, couponId: r.couponId, status: r.status })),
  coupons: s.coupons.map((c) => ({
    code: c.code,
    counters: [c.available, c.reservedCount, c.redeemedCount],
    holds: c.holds.map((h) => h.key).sort(),
  })),
  products: s.products.map((p) => ({ sku: p.sku, stock: p.stock, holds: p.holds.map((h) => h.key).sort() })),
})

export const suite = <E>(
  name: string,
  storage: Layer.Layer<StoragePorts, E>,
  options: PropertyOptions = {},
): void => {
  const numRuns = options.runs ?? propertyRuns(25)

  describe(`${name}: I4 reservation expiry`, () => {
    it(
      "I4 after the expiry job at t no reservation is reserved past t; paid orders keep their redemption",
      () =>
        fc.assert(
          fc.asyncProperty(
            scenario,
            yieldingEachRun(async (plan) => {
              // A clean run first: its end state is the reference, its call count the crash points.
              const clean = await withWorld(storage, async (world) => {
                const { made, t } = await build(world, plan)
                const calls = await world.run(
                  Effect.zipRight(crashing(null, expireReservations()), callCount),
                )
                expect(await world.run(leaks(t))).toEqual({ count: 0, found: [] })
                expectSettled(await world.run(snapshot), made, t)
                await world.run(repairReservations())
                return { calls, end: essence(await world.run(snapshot)) }
              })
              await withWorld(storage, async (world) => {
                const { made, t } = await build(world, plan)
                const k = 1 + Math.floor(plan.crashAt * clean.calls)
                const crashed = await world.run(crashing(k, expireReservations()))
                expect(Exit.isFailure(crashed), `crash at call ${k} of ${clean.calls}`).toBe(true)
                // The next scheduled run of the job is the recovery.
                await world.run(expireReservations())
                expect(await world.run(leaks(t))).toEqual({ count: 0, found: [] })
                expectSettled(await world.run(snapshot), made, t)
                // Stock a crash left half-released is the repair job's to return (runbook scenario 3).
                await world.run(repairReservations())
                expect(essence(await world.run(snapshot))).toEqual(clean.end)
              })
            }),
          ),
          { numRuns },
        ),
      // Measured up to 74 ms a run: each run builds its world twice, once clean and once crashed.
      propertyTimeout(numRuns, 300, options),
    )
  })
}
