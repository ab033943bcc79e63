import { InvoiceControl } from "@settle/adapters"
import { type OrderId, Sku } from "@settle/domain"
import { Effect, type Layer } from "effect"
import * as fc from "fast-check"
import { describe, it } from "vitest"
import { ClockControl } from "../fakes/ControlledClock.js"
import { MetricsProbe } from "../fakes/MemoryMetrics.js"
import type { StoragePorts } from "../world.js"
import { propertyRuns, propertyTimeout, yieldingEachRun } from "./propertyRuns.js"
import {
  confirmedOrder,
  type Harness,
  loadOrders,
  makeHarness,
  now,
  seedProduct,
} from "./support/I678Harness.js"
import { checkInvoiceStep, checkInvoicesConverged, type DelayHistory } from "./support/I678InvoiceChecks.js"
import {
  type InvoiceScenario,
  type InvoiceStep,
  type IssueCall,
  invoiceScenario,
  PAST_EVERYTHING,
  recordedJob,
} from "./support/I678Invoices.js"
import { type PinnedScheduleOptions, pinnedIt } from "./support/pinnedSchedules.js"

/** Healthy provider: this many job runs, each past every backoff and lease, settle any order. */
const SETTLING_RUNS = 3

const runStep = (h: Harness, s: fc.Scheduler, step: InvoiceStep, calls: Array<IssueCall>) => {
  switch (step._tag) {
    case "Run":
      return h.attempt(recordedJob(calls), { crashAt: step.crashAt })
    case "Race":
      return h.race([recordedJob(calls), recordedJob(calls)], s, step.crashAt)
    case "Failing":
      return h.run(Effect.flatMap(InvoiceControl, (control) => control.setFailing(step.failing)))
    case "Mode":
      return h.run(Effect.flatMap(InvoiceControl, (control) => control.setMode(step.mode)))
    case "Advance":
      return h.run(Effect.flatMap(ClockControl, (clock) => clock.advance(step.ms)))
  }
}

/** One property run: confirmed orders, the drawn steps with checks after each, then a healthy provider. */
export const runInvoiceScenario = async <E>(
  storage: Layer.Layer<StoragePorts, E>,
  scenario: InvoiceScenario,
  s: fc.Scheduler,
): Promise<void> => {
  const h = makeHarness(storage)
  try {
    const product = await h.run(seedProduct({ sku: Sku.make("SKU-I7") }))
    const ids: Array<OrderId> = []
    for (let i = 0; i < scenario.orders; i++) ids.push((await h.run(confirmedOrder(product, 1))).id)
    const calls: Array<IssueCall> = []
    const delays: DelayHistory = new Map()
    const observe = async (step: InvoiceStep) => {
      const before = await h.run(loadOrders(ids))
      await runStep(h, s, step, calls)
      checkInvoiceStep(before, await h.run(loadOrders(ids)), await h.run(now), delays)
    }
    for (const step of scenario.steps) await observe(step)
    // Recovery as the runbook has it: the provider works again (orders still due settle in the mode in
    // force), then the temporary manual/none switch is undone.
    const settle = async () => {
      for (let run = 0; run < SETTLING_RUNS; run++) {
        await observe({ _tag: "Advance", ms: PAST_EVERYTHING })
        await observe({ _tag: "Run", crashAt: null })
      }
    }
    await observe({ _tag: "Failing", failing: false })
    await settle()
    await observe({ _tag: "Mode", mode: "stripe" })
    await settle()
    const books = await h.run(
      Effect.gen(function* () {
        const control = yield* InvoiceControl
        const metrics = yield* MetricsProbe
        return {
          orders: yield* loadOrders(ids),
          issued: yield* control.issued,
          calls,
          success: yield* metrics.value("invoice_issue_total", { status: "success" }),
          failure: yield* metrics.value("invoice_issue_total", { status: "failure" }),
        }
      }),
    )
    checkInvoicesConverged(books)
  } finally {
    await h.dispose()
  }
}

/**
 * I7: each confirmed order ends with exactly one issued invoice (or manual/none) once the provider is
 * healthy, through provider failures and outages, mode switches, concurrent job runs and crashes.
 */
export const suite = <E>(
  name: string,
  storage: Layer.Layer<StoragePorts, E>,
  options: PinnedScheduleOptions = {},
): void => {
  const numRuns = options.runs ?? propertyRuns(40)
  const pinned = pinnedIt(options)
  describe(name, () => {
    it(
      "I7 every confirmed order converges to one invoice, with backoff and metrics to match",
      () =>
        fc.assert(
          fc.asyncProperty(
            invoiceScenario,
            fc.scheduler(),
            yieldingEachRun((scenario, s) => runInvoiceScenario(storage, scenario, s)),
          ),
          { numRuns },
        ),
      // Measured up to 63 ms a run (over the 40 default runs, with the JIT still cold).
      propertyTimeout(numRuns, 200, options),
    )

    // Found by fast-check (seed -162101419, path "13:0:7:5:6:6:6"): the crash hits the write that records
    // the issued invoice; the claim taken over under manual mode used to settle `manual`, so the order
    // had a provider invoice and was due a manual one as well.
    it("I7 regression: a claim lost after the provider issued is not settled manual", () =>
      runInvoiceScenario(
        storage,
        {
          orders: 2,
          steps: [
            { _tag: "Run", crashAt: 4 },
            { _tag: "Mode", mode: "manual" },
            { _tag: "Advance", ms: 0 },
          ],
        },
        fc.schedulerFor([]),
      ))

    // Found next (seed -262404027, path "66:1:10:15:17:13:13:13:13:14:17:19:19:15"): the take-over
    // failed at the provider, and the `failed` it stored forgot that an invoice might exist, so `none`
    // later settled it anyway.
    it("I7 regression: a lost claim stays unresolved through a failed take-over", () =>
      runInvoiceScenario(
        storage,
        {
          orders: 3,
          steps: [
            { _tag: "Run", crashAt: 10 },
            { _tag: "Advance", ms: 5_000 },
            { _tag: "Failing", failing: 1 },
            { _tag: "Run", crashAt: null },
            { _tag: "Mode", mode: "none" },
          ],
        },
        fc.schedulerFor([]),
      ))

    // Found with the check "provider calls ≤ claims" (seed -1459882620, path "81:0:3:5:11:8:8:12:9:8:9:11:11"):
    // both racing runs read the lost claim, and the claim, conditional on the status alone, let both
    // take it over and call the provider. The same happened to a `failed` one (failed → issuing → failed).
    it("I7 regression: two runs cannot both take over one expired claim", () =>
      runInvoiceScenario(
        storage,
        {
          orders: 2,
          steps: [
            { _tag: "Run", crashAt: 4 },
            { _tag: "Advance", ms: 5_000 },
            { _tag: "Race", crashAt: null },
          ],
        },
        fc.schedulerFor([1, 2, 3, 4, 5, 6]),
      ))

    pinned("I7 regression: a stale run cannot claim a failed invoice again after another's attempt", () =>
      runInvoiceScenario(
        storage,
        {
          orders: 3,
          steps: [
            { _tag: "Failing", failing: true },
            { _tag: "Run", crashAt: null },
            { _tag: "Advance", ms: 1_000 },
            { _tag: "Race", crashAt: null },
          ],
        },
        fc.schedulerFor([2, 3, 4, 1, 6, 5, 8, 9, 7, 10, 11]),
      ),
    )
  })
}
