import { CouponRepository, issueInvoices, type OrderId } from "@settle/domain"
import { Effect, type Layer } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ClockControl } from "../fakes/ControlledClock.js"
import { InvoiceControl } from "../fakes/MemoryInvoiceProvider.js"
import { SandboxControl } from "../fakes/SandboxPaymentGateway.js"
import { aCoupon, minute } from "../fixtures.js"
import type { StoragePorts } from "../world.js"
import { propertyRuns } from "./propertyRuns.js"
import {
  ADMIN_KINDS,
  type AdminStep,
  type AdminWorld,
  adminProgram,
  adminSteps,
} from "./support/I678Admin.js"
import { adminSnapshot, checkAdminStep } from "./support/I678AdminChecks.js"
import { loadOrders, makeHarness, now, seedProduct } from "./support/I678Harness.js"
import { INVOICE_OPTIONS } from "./support/I678Invoices.js"
import { expectedFix, type JobScenario, jobScenario, runJob } from "./support/I678Jobs.js"
import { type PlacedOrder, placeOrder, STATUS_OF_KIND } from "./support/I678States.js"

const setOutage = (failing: boolean) =>
  Effect.flatMap(SandboxControl, (sandbox) => sandbox.setFailing(failing))

/** One property run: the admin world, then each drawn action checked against the audit log. */
export const runAdminScenario = async <E>(
  storage: Layer.Layer<StoragePorts, E>,
  steps: ReadonlyArray<AdminStep>,
): Promise<void> => {
  const h = makeHarness(storage)
  try {
    const product = await h.run(seedProduct({}))
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
 * I8: every admin mutation leaves an audit record, and failed or refused ones change nothing;
 * reconciliation, expiry and repair never edit in bulk: an order they are not meant to fix is
 * byte-identical afterwards.
 */
export const suite = <E>(
  name: string,
  storage: Layer.Layer<StoragePorts, E>,
  options?: { readonly runs?: number },
): void => {
  const numRuns = options?.runs ?? propertyRuns(25)
  describe(name, () => {
    it("I8 each admin action leaves exactly its audit record, and a failed one changes nothing", () =>
      fc.assert(
        fc.asyncProperty(adminSteps, (steps) => runAdminScenario(storage, steps)),
        { numRuns },
      ))

    it("I8 reconcile, expiry and repair change only the orders they are meant to fix", () =>
      fc.assert(
        fc.asyncProperty(jobScenario, (scenario) => runJobScenario(storage, scenario)),
        { numRuns },
      ))
  })
}
