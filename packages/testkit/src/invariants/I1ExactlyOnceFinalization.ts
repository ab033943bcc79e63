import type { Layer } from "effect"
import * as fc from "fast-check"
import { describe, it } from "vitest"
import type { StoragePorts } from "../world.js"
import { type PropertyOptions, propertyRuns, propertyTimeout, yieldingEachRun } from "./propertyRuns.js"
import { cleanDeliveryCalls, crashThenRecover } from "./support/I1Crashes.js"
import { latePaymentCouponGone, latePaymentHonored, latePaymentStockGone } from "./support/I1LatePayment.js"
import { race, runRace } from "./support/I1Races.js"
import { recoveryPlan } from "./support/I1Recovery.js"
import { paymentReadPendingThenExpired, revivalWhileExpiryReleases } from "./support/I1Regressions.js"
import { acceptedReviewFinalizesOnce } from "./support/I1Review.js"
import { staleRevivalAfterFinalization, staleRevivalAfterPartialCommit } from "./support/I1StaleRevivals.js"
import { shop } from "./support/scenario.js"

/**
 * DESIGN.md §6, I1: exactly-once finalization under any mix of duplicate, reordered and concurrent
 * deliveries and crashes between any two steps. `storage` must build an empty database each time: every
 * property run builds its own world from it.
 */
export const suite = <E>(
  name: string,
  storage: Layer.Layer<StoragePorts, E>,
  options: PropertyOptions = {},
) =>
  describe(`${name}: I1 exactly-once finalization`, () => {
    const raceRuns = options.runs ?? propertyRuns(80)
    const crashRuns = options.runs ?? propertyRuns(20)
    const reviewRuns = options.runs ?? propertyRuns(40)

    it(
      "I1 duplicate, reordered and concurrent deliveries finalize once",
      () =>
        fc.assert(
          fc.asyncProperty(
            shop(),
            race,
            fc.scheduler(),
            yieldingEachRun((drawn, plan, scheduler) => runRace(storage, drawn, plan, scheduler)),
          ),
          { numRuns: raceRuns },
        ),
      // Measured up to 39 ms a run.
      propertyTimeout(raceRuns, 200, options),
    )

    it(
      "I1 a crash at every port call of a delivery, then any recovery, finalizes once",
      () =>
        fc.assert(
          fc.asyncProperty(
            shop(),
            fc.boolean(),
            fc.array(recoveryPlan, { minLength: 1, maxLength: 8 }),
            yieldingEachRun(async (drawn, late, plans) => {
              const log = await cleanDeliveryCalls(storage, drawn, late)
              // Every crash point of this cart, and one past the last call (the delivery then succeeds).
              for (let k = 1; k <= log.length + 1; k++) {
                const plan = plans[(k - 1) % plans.length] ?? plans[0]
                if (plan !== undefined) await crashThenRecover(storage, drawn, late, log, k, plan)
              }
            }),
          ),
          { numRuns: crashRuns },
        ),
      // Measured up to 504 ms a run: each run replays the delivery once per crash point, and later runs
      // draw larger carts, with more crash points.
      propertyTimeout(crashRuns, 2_000, options),
    )

    it(
      "I1 a payment held for review and accepted by a human, crashed at any call and repeated during a redelivery, finalizes once",
      () =>
        fc.assert(
          fc.asyncProperty(
            shop(),
            fc.boolean(),
            // An acceptance makes 15-40 port calls with the cart's lines; past the last it runs clean.
            fc.integer({ min: 1, max: 45 }),
            fc.scheduler(),
            yieldingEachRun((drawn, released, k, scheduler) =>
              acceptedReviewFinalizesOnce(storage, drawn, released, k, scheduler),
            ),
          ),
          { numRuns: reviewRuns },
        ),
      // Measured up to 12 ms a run (1000 runs).
      propertyTimeout(reviewRuns, 50, options),
    )

    it("I1 a payment after local expiry is honored: confirmed, stock committed once", () =>
      latePaymentHonored(storage))

    it("I1 a payment after local expiry whose stock was sold meanwhile goes to payment_review", () =>
      latePaymentStockGone(storage))

    it("I1 a payment after local expiry whose coupon was used up meanwhile goes to payment_review", () =>
      latePaymentCouponGone(storage))

    it("I1 regression: a payment that read the order pending, then lost it to expiry, holds it again", () =>
      paymentReadPendingThenExpired(storage))

    it("I1 regression: a payment revived while the expiry still gives its stock back is honored", () =>
      revivalWhileExpiryReleases(storage))

    it("I1 regression: a revival from a stale read after finalization holds nothing more", () =>
      staleRevivalAfterFinalization(storage))

    it("I1 regression: a revival from a stale read after a partial commit commits nothing twice", () =>
      staleRevivalAfterPartialCommit(storage))
  })
