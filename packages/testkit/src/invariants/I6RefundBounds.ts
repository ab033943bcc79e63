import { SandboxControl } from "@settle/adapters"
import { money, type OrderId, type PaymentEvent, reviewRefundId } from "@settle/domain"
import { Effect, Either, type Layer } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { StoragePorts } from "../world.js"
import { propertyRuns, propertyTimeout, yieldingEachRun } from "./propertyRuns.js"
import { confirmedOrder, type Harness, loadOrder, makeHarness, seedProduct } from "./support/I678Harness.js"
import { checkRefundSafety, checkRefundsConverged } from "./support/I678RefundChecks.js"
import {
  ACTOR,
  adminRefund,
  chargeRefunded,
  dashboardRefund,
  deliver,
  isOrphaned,
  moneyTrail,
  outsideAmount,
  type RefundInput,
  type RefundScenario,
  type RefundStep,
  refundInput,
  refundScenario,
  reviewedOrder,
  reviewRefund,
} from "./support/I678Refunds.js"
import { type PinnedScheduleOptions, pinnedIt } from "./support/pinnedSchedules.js"

/** Failures a retry may cure: the admin (or the job runner) repeats such a request later. */
const TRANSIENT = new Set(["PaymentGatewayError", "StoreError", "WriteConflict"])

interface Journal {
  /** Requests with a requestId that failed transiently: retried once the outage is over. */
  readonly retries: Array<RefundInput>
  /** Every charge.refunded Stripe sent: redelivered at the end, as Stripe retries unfinished ones. */
  readonly events: Array<PaymentEvent>
}

const remember = (journal: Journal, input: RefundInput, result: Either.Either<unknown, { _tag: string }>) => {
  if (Either.isLeft(result) && TRANSIENT.has(result.left._tag) && "requestId" in input) {
    journal.retries.push(input)
  }
}

const echo = async (h: Harness, journal: Journal, orderId: OrderId) => {
  const event = await h.run(Effect.flatMap(loadOrder(orderId), chargeRefunded))
  if (event._tag === "None") return
  journal.events.push(event.value)
  await h.attempt(deliver(event.value))
}

const runStep = async (
  h: Harness,
  s: fc.Scheduler,
  ids: ReadonlyArray<OrderId>,
  reviews: ReadonlyArray<OrderId>,
  step: RefundStep,
  journal: Journal,
) => {
  const idOf = (index: number): OrderId => ids[index % ids.length]!
  switch (step._tag) {
    case "ReviewRefund": {
      const orderId = reviews[step.review % Math.max(1, reviews.length)]
      if (orderId === undefined) return
      const copies = Array.from({ length: step.copies }, () => reviewRefund(orderId))
      if (copies.length === 1) await h.attempt(reviewRefund(orderId), { crashAt: step.crashAt })
      else await h.race(copies, s, step.crashAt)
      if (step.echo) await echo(h, journal, orderId)
      // A crashed request is asked again, as the operator would; an outage may fail it again.
      if (step.crashAt !== null) await h.attempt(reviewRefund(orderId))
      return
    }
    case "Outage":
      return h.run(Effect.flatMap(SandboxControl, (sandbox) => sandbox.setFailing(step.failing)))
    case "Refund": {
      const input = refundInput(await h.run(loadOrder(idOf(step.request.order))), step.request)
      const first = await h.attempt(adminRefund(input), { crashAt: step.crashAt })
      if (step.echo) await echo(h, journal, input.orderId)
      if (step.crashAt === null) return remember(journal, input, first)
      return remember(journal, input, await h.attempt(adminRefund(input)))
    }
    case "Race": {
      const inputs = await Promise.all(
        step.requests.map(async (draw) => refundInput(await h.run(loadOrder(idOf(draw.order))), draw)),
      )
      const results = await h.race(inputs.map(adminRefund), s, step.crashAt)
      // After a crash both requests are repeated: the one that did not crash is a no-op by requestId.
      for (const [i, input] of inputs.entries()) {
        remember(journal, input, step.crashAt === null ? results[i]! : await h.attempt(adminRefund(input)))
      }
      return
    }
    case "Outside": {
      const order = await h.run(loadOrder(idOf(step.order)))
      const amount = outsideAmount(order, step.percent)
      if (amount === null) return
      const event = await h.run(dashboardRefund(order, amount))
      journal.events.push(event)
      let delivered = await h.attempt(deliver(event), { crashAt: step.crashAt })
      for (let copy = 1; copy < step.copies || Either.isLeft(delivered); copy++) {
        // Stripe retries a failed delivery before anyone acts again on this charge.
        if (copy > 3) throw new Error(`charge.refunded keeps failing: ${JSON.stringify(delivered)}`)
        delivered = await h.attempt(deliver(event))
      }
      return
    }
  }
}

const checkAll = async (h: Harness, ids: ReadonlyArray<OrderId>, check: typeof checkRefundSafety) => {
  for (const id of ids) {
    const order = await h.run(loadOrder(id))
    check(order, await h.run(moneyTrail(order)))
  }
}

/** Outage over, every request repeated and every delivery redelivered, then one more charge.refunded. */
const complete = async (h: Harness, ids: ReadonlyArray<OrderId>, journal: Journal) => {
  await h.run(Effect.flatMap(SandboxControl, (sandbox) => sandbox.setFailing(false)))
  for (const input of journal.retries) await h.attempt(adminRefund(input))
  for (const id of ids) {
    for (const refund of (await h.run(loadOrder(id))).refunds) {
      if (refund.gatewayRefundId !== null || isOrphaned(refund)) continue
      if (refund.id === reviewRefundId(id)) {
        const resumed = await h.attempt(reviewRefund(id))
        expect(Either.isRight(resumed), `resuming ${refund.id}: ${JSON.stringify(resumed)}`).toBe(true)
        continue
      }
      const requestId = refund.id.slice(`refund:${id}:`.length)
      const resumed = await h.attempt(adminRefund({ orderId: id, actor: ACTOR, requestId }))
      expect(Either.isRight(resumed), `resuming ${refund.id}: ${JSON.stringify(resumed)}`).toBe(true)
    }
  }
  for (const event of journal.events) await h.attempt(deliver(event))
  for (const id of ids) {
    const event = await h.run(Effect.flatMap(loadOrder(id), chargeRefunded))
    if (event._tag === "None") continue
    const delivered = await h.attempt(deliver(event.value))
    expect(Either.isRight(delivered), `final charge.refunded: ${JSON.stringify(delivered)}`).toBe(true)
  }
}

/** One property run: confirmed orders, the drawn steps with checks after each, then convergence. */
export const runRefundScenario = async <E>(
  storage: Layer.Layer<StoragePorts, E>,
  scenario: RefundScenario,
  s: fc.Scheduler,
): Promise<void> => {
  const h = makeHarness(storage)
  try {
    const ids: Array<OrderId> = []
    for (const { price, quantity } of scenario.orders) {
      const product = await h.run(seedProduct({ price: money(price, "EUR") }))
      ids.push((await h.run(confirmedOrder(product, quantity))).id)
    }
    const reviews: Array<OrderId> = []
    for (const { price, captured } of scenario.reviews) {
      const product = await h.run(seedProduct({ price: money(price, "EUR") }))
      reviews.push(await h.run(reviewedOrder(product, captured)))
    }
    const all = [...ids, ...reviews]
    const journal: Journal = { retries: [], events: [] }
    for (const step of scenario.steps) {
      await runStep(h, s, ids, reviews, step, journal)
      await checkAll(h, all, checkRefundSafety)
    }
    await complete(h, all, journal)
    await checkAll(h, all, checkRefundsConverged)
  } finally {
    await h.dispose()
  }
}

/**
 * I6: refunds never exceed the captured amount, and a repeated refund request refunds once, under
 * repeated and concurrent requests, gateway outages, crashes and Stripe's own charge.refunded events;
 * payments held for review, refunded by a human, included.
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
      "I6 refunds stay within the capture and converge with Stripe and the ledger",
      () =>
        fc.assert(
          fc.asyncProperty(
            refundScenario,
            fc.scheduler(),
            yieldingEachRun((scenario, s) => runRefundScenario(storage, scenario, s)),
          ),
          { numRuns },
        ),
      // Measured up to 53 ms a run.
      propertyTimeout(numRuns, 250, options),
    )

    // Found by fast-check (a race-and-crash property, seed -264315396, path "132:0"; the property above
    // found it as well, seed -573472763, in a 600-run campaign): both requests read the order before
    // either appended, so each planned partially_refunded; the crash hit the second one's status repair
    // and its retry used to leave the fully refunded order partially_refunded for good.
    pinned(
      "I6 regression: concurrent partial refunds reaching the capture, crashed before the status repair",
      () =>
        runRefundScenario(
          storage,
          {
            orders: [{ price: 100, quantity: 1 }],
            reviews: [],
            steps: [
              {
                _tag: "Race",
                requests: [
                  { order: 0, percent: 1, requestId: "req-a", restock: false },
                  { order: 0, percent: 99, requestId: "req-b", restock: false },
                ],
                crashAt: 6,
              },
            ],
          },
          fc.schedulerFor([1, 2, 3, 4, 5, 6, 7]),
        ),
    )
  })
}
