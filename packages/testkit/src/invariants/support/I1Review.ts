import { SandboxControl } from "@settle/adapters"
import {
  acceptReviewedPayment,
  Clock,
  expireReservations,
  handlePaymentEvent,
  repairReservations,
} from "@settle/domain"
import { Effect, Either, type Layer } from "effect"
import type * as fc from "fast-check"
import { expect } from "vitest"
import { ClockControl } from "../../fakes/ControlledClock.js"
import { arm, disarm } from "../../faults/FaultInjection.js"
import { racingPorts, type StoragePorts } from "../../world.js"
import { expectFinalizedOnce, expectSettledForGood, OPERATOR, readBooks } from "./I1Books.js"
import { faultyWorld } from "./I1Crashes.js"
import { openCheckout, racing, type Shop, usingRuntime } from "./scenario.js"

/** Past the session's expiry and the repair job's grace: the jobs take every checkout hold back. */
const JOBS_RELEASE_AFTER_MS = 45 * 60_000

/**
 * Stripe captured one unit more than the total: the order is held for review. `released`: the
 * expiry and repair jobs then give its stock and coupon back, as they do once its session is over.
 */
const heldForReview = (shop: Shop, released: boolean) =>
  Effect.gen(function* () {
    const { order, sessionId } = yield* openCheckout(shop)
    const event = yield* (yield* SandboxControl).pay(sessionId, { amount: order.totals.total + 1 })
    expect((yield* handlePaymentEvent(event))._tag, "the tampered delivery").toBe("AmountMismatch")
    if (released) {
      const now = yield* (yield* Clock).now
      yield* (yield* ClockControl).set(new Date(now.getTime() + JOBS_RELEASE_AFTER_MS))
      yield* expireReservations()
      yield* repairReservations()
    }
    return { order, event }
  })

/**
 * I1 for a payment a human accepts from review: the acceptance crashes at its k-th port call (past the
 * last one it succeeds), then is asked again while Stripe redelivers the payment, the scheduler picking
 * the order of their port calls. Whatever happened, the order is finalized once, its ledger booking
 * what Stripe captured, and nothing moves it again.
 */
export const acceptedReviewFinalizesOnce = <E>(
  storage: Layer.Layer<StoragePorts, E>,
  shop: Shop,
  released: boolean,
  k: number,
  scheduler: fc.Scheduler,
) =>
  usingRuntime(faultyWorld(storage), async (runtime) => {
    const { order, event } = await runtime.runPromise(heldForReview(shop, released))
    const accept = acceptReviewedPayment({ orderId: order.id, ...OPERATOR })
    await runtime.runPromise(
      Effect.gen(function* () {
        yield* arm(k)
        yield* Effect.either(accept)
        yield* disarm
      }),
    )
    const racer = await racing(runtime, scheduler, racingPorts)
    const [again, redelivered] = await scheduler
      .waitFor(
        racer.runPromise(
          Effect.all([Effect.either(accept), Effect.either(handlePaymentEvent(event))], {
            concurrency: "unbounded",
          }),
        ),
      )
      .finally(() => racer.dispose())
    expect(Either.isRight(again) ? again.right._tag : again.left._tag, "the acceptance asked again").toMatch(
      /^(Accepted|AlreadyAccepted)$/,
    )
    // A redelivery that found the acceptance half-way lost its rounds at worst: Stripe sends it again.
    if (Either.isLeft(redelivered)) expect(redelivered.left._tag).toBe("WriteConflict")
    expectFinalizedOnce(shop, await runtime.runPromise(readBooks(shop, order.id)), order.totals.total + 1)
    await expectSettledForGood(runtime, shop, order.id, event)
  })
