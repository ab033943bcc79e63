import { InvoiceControl, SandboxControl } from "@settle/adapters"
import { CouponRepository, issueInvoices, type OrderId } from "@settle/domain"
import { Effect, type Layer } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ClockControl } from "../fakes/ControlledClock.js"
import { aCoupon, minute } from "../fixtures.js"
import type { StoragePorts } from "../world.js"
import { type PropertyOptions, propertyRuns, propertyTimeout, yieldingEachRun } from "./propertyRuns.js"
import { type CatalogOp, catalogOp, catalogProgram } from "./support/I8Catalog.js"
import { catalogSnapshot, checkCatalogStep, expectedOf } from "./support/I8CatalogChecks.js"
import { ADMIN_KINDS, type AdminStep, type AdminWorld, adminProgram, adminStep } from "./support/I678Admin.js"
import { adminSnapshot, checkAdminStep } from "./support/I678AdminChecks.js"
import { loadOrders, makeHarness, now, seedProduct } from "./support/I678Harness.js"
import { INVOICE_OPTIONS } from "./support/I678Invoices.js"
import { expectedFix, type JobScenario, jobScenario, runJob } from "./support/I678Jobs.js"
import { type PlacedOrder, placeOrder, STATUS_OF_KIND } from "./support/I678States.js"

const setOutage = (failing: boolean) =>
  Effect.flatMap(SandboxControl, (sandbox) => sandbox.setFailing(failing))

/** An admin action on an order, or on the catalog (products and coupons). */
export type I8Step = AdminStep | { readonly catalog: CatalogOp }

/** Order actions and catalog actions, interleaved: a catalog edit must not disturb an order, nor the reverse. */
export const i8Steps: fc.Arbitrary<ReadonlyArray<I8Step>> = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: adminStep },
    { weight: 2, arbitrary: catalogOp.map((catalog) => ({ catalog })) },
  ),
  { minLength: 1, maxLength: 12 },
)

/** One property run: the admin world, then each drawn action checked against the audit log. */
export const runAdminScenario = async <E>(
  storage: Layer.Layer<StoragePorts, E>,
  steps: ReadonlyArray<I8Step>,
): Promise<void> => {
  const h = makeHarness(storage)
  try {
    const product = await h.run(seedProduct({}))
    // The catalog actions need a coupon to edit; no order uses it, so the order actions are unaffected.
    await h.run(Effect.flatMap(CouponRepository, (coupons) => coupons.insert(aCoupon())))
    const placed: Array<PlacedOrder> = []
    for (const kind of ADMIN_KINDS) placed.push(await h.run(placeOrder(kind, product, null)))
    // Every due invoice fails once, so retryInvoice finds failed invoices to reschedule.
    await h.run(
      Effect.gen(function* () {
        const invoices = yield* InvoiceControl
        yield* invoices.setFailing(true)
        yield* issueInvoices(INVOICE_OPTIONS)
        yield* invoices.setFailing(false)
      }),
    )
    const ids = placed.map(({ order }) => order.id)
    const world: AdminWorld = {
      orders: await h.run(loadOrders(ids)),
      events: placed.map(({ event }) => event),
    }
    for (const step of steps) {
      if ("catalog" in step) {
        const before = await h.run(catalogSnapshot(ids))
        const at = await h.run(now)
        const expected = expectedOf(before.catalog, step.catalog, at)
        const result = await h.attempt(catalogProgram(before.catalog, step.catalog, at))
        checkCatalogStep(step.catalog, expected, before, await h.run(catalogSnapshot(ids)), result, at)
        continue
      }
      const before = await h.run(adminSnapshot(ids))
      await h.run(setOutage(step.outage))
      const result = await h.attempt(adminProgram(world, step.op))
      await h.run(setOutage(false))
      checkAdminStep(world, step.op, before, await h.run(adminSnapshot(ids)), result, await h.run(now))
    }
  } finally {
    await h.dispose()
  }
}

/** One property run: orders in every state, then each drawn job; only the orders it is for may change. */
export const runJobScenario = async <E>(storage: Layer.Layer<StoragePorts, E>, scenario: JobScenario) => {
  const h = makeHarness(storage)
  try {
    const product = await h.run(seedProduct({}))
    const coupon = aCoupon({ maxRedemptions: 100, available: 100 })
    await h.run(Effect.flatMap(CouponRepository, (coupons) => coupons.insert(coupon)))
    const ids: Array<OrderId> = []
    for (const { kind, minute: at, coupon: withCoupon } of scenario.orders) {
      await h.run(Effect.flatMap(ClockControl, (clock) => clock.set(minute(at))))
      const { order } = await h.run(placeOrder(kind, product, withCoupon ? coupon.code : null))
      expect(order.status, `placed ${kind}`).toBe(STATUS_OF_KIND[kind])
      ids.push(order.id)
    }
    for (const { job, minutes } of scenario.jobs) {
      await h.run(Effect.flatMap(ClockControl, (clock) => clock.advance(minutes * 60_000)))
      const at = await h.run(now)
      const before = await h.run(loadOrders(ids))
      const sessions = await h.run(Effect.flatMap(SandboxControl, (sandbox) => sandbox.sessions))
      await h.run(runJob(job))
      const after = await h.run(loadOrders(ids))
      for (const [i, order] of before.entries()) {
        const session = sessions.find((s) => s.sessionId === order.payment.sessionId)
        const fix = expectedFix(job, order, session, at)
        if (fix === null)
          expect(after[i], `${job} left ${order.id} (${order.status}) alone`).toStrictEqual(order)
        else expect(after[i]?.status, `${job} fixed ${order.id} (${order.status})`).toBe(fix)
      }
    }
  } finally {
    await h.dispose()
  }
}

/**
 * I8: every admin mutation (refunds, notes, replays, invoice retries, product and coupon edits) leaves
 * an audit record, and failed, refused or no-op ones change nothing and leave none;
 * reconciliation, expiry and repair never edit in bulk: an order they are not meant to fix is
 * byte-identical afterwards.
 */
export const suite = <E>(
  name: string,
  storage: Layer.Layer<StoragePorts, E>,
  options: PropertyOptions = {},
): void => {
  const numRuns = options.runs ?? propertyRuns(25)
  describe(name, () => {
    it(
      "I8 each admin action (orders, products, coupons) leaves exactly its audit record; a failed one changes nothing",
      () =>
        fc.assert(
          fc.asyncProperty(
            i8Steps,
            yieldingEachRun((steps) => runAdminScenario(storage, steps)),
          ),
          { numRuns },
        ),
      // Measured up to 53 ms a run.
      propertyTimeout(numRuns, 250, options),
    )

    it(
      "I8 reconcile, expiry and repair change only the orders they are meant to fix",
      () =>
        fc.assert(
          fc.asyncProperty(
            jobScenario,
            yieldingEachRun((scenario) => runJobScenario(storage, scenario)),
          ),
          { numRuns },
        ),
      // Measured up to 57 ms a run.
      propertyTimeout(numRuns, 250, options),
    )
  })
}
