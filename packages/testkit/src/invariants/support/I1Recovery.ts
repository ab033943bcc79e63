import {
  handlePaymentEvent,
  type OrderStatus,
  type PaymentSucceeded,
  reconcileOrders,
  replayFinalization,
} from "@settle/domain"
import { Data, Effect, Either } from "effect"
import * as fc from "fast-check"
import { ClockControl } from "../../fakes/ControlledClock.js"
import { OPERATOR, PAST_RECONCILE_HORIZON_MS } from "./I1Books.js"

/** The runbook's ways back from a crashed finalization (scenarios 1, 4 and 5, and the reconciler job). */
export type Recovery = "redeliver" | "redeliver_twice" | "replay_session" | "replay_event" | "reconcile"

export const recovery: fc.Arbitrary<Recovery> = fc.constantFrom(
  "redeliver",
  "redeliver_twice",
  "replay_session",
  "replay_event",
  "reconcile",
)

/**
 * How one crashed delivery is repaired. `expiryJob`: the order stayed stuck past its reservation's expiry
 * and the expiry job ran first. `crashed`: a first recovery that itself crashes at its call `at`. Then
 * `recovery` runs clean.
 */
export interface RecoveryPlan {
  readonly expiryJob: boolean
  readonly crashed: { readonly recovery: Recovery; readonly at: number } | null
  readonly recovery: Recovery
}

export const recoveryPlan: fc.Arbitrary<RecoveryPlan> = fc.record({
  expiryJob: fc.boolean(),
  crashed: fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.record({ recovery, at: fc.integer({ min: 1, max: 16 }) }) },
  ),
  recovery,
})

export const describePlan = (plan: RecoveryPlan): string =>
  [
    plan.expiryJob ? "expiry job" : null,
    plan.crashed === null ? null : `${plan.crashed.recovery} crashing at call ${plan.crashed.at}`,
    plan.recovery,
  ]
    .filter((step) => step !== null)
    .join(", then ")

/** The reconciler swallows per-order failures into its report; a test wants to see them. */
export class ReconcileIncomplete extends Data.TaggedError("ReconcileIncomplete")<{
  readonly failed: number
}> {}

/** Run one recovery for the payment `event` announced. */
export const recover = (recovery: Recovery, event: PaymentSucceeded) =>
  Effect.gen(function* () {
    switch (recovery) {
      case "redeliver":
        yield* handlePaymentEvent(event)
        return
      case "redeliver_twice": {
        // Stripe may retry while an earlier attempt is still running on another replica. Replicas
        // never interrupt each other, so each delivery runs to its end whatever the other does
        // (found on FerretDB, seed 1518990186: fail-fast interrupted a ledger append in flight).
        const outcomes = yield* Effect.all([handlePaymentEvent(event), handlePaymentEvent(event)], {
          concurrency: "unbounded",
          mode: "either",
        })
        for (const outcome of outcomes) if (Either.isLeft(outcome)) return yield* Effect.fail(outcome.left)
        return
      }
      case "replay_session":
        yield* replayFinalization({ sessionId: event.sessionId, ...OPERATOR })
        return
      case "replay_event":
        yield* replayFinalization({ stripeEventId: event.eventId, ...OPERATOR })
        return
      case "reconcile": {
        yield* (yield* ClockControl).advance(PAST_RECONCILE_HORIZON_MS)
        const report = yield* reconcileOrders()
        if (report.failed > 0) return yield* new ReconcileIncomplete({ failed: report.failed })
        return
      }
    }
  })

/** What a clean recovery finds: the order's status, whether it is finalized, whether the inbox has the event. */
export interface Stuck {
  readonly status: OrderStatus
  readonly finalized: boolean
  readonly recorded: boolean
}

/** The one refusal a clean run of `recovery` may answer with from `stuck`; null when it must succeed. */
export const allowedRefusal = (recovery: Recovery, stuck: Stuck): string | null => {
  // A crash before the inbox insert leaves nothing to replay by event id (looked up first).
  if (recovery === "replay_event" && !stuck.recorded) return "EventNotFound"
  const replay = recovery === "replay_session" || recovery === "replay_event"
  // Retries are safe only while processedAt is null: a replay of a finalized order is refused.
  if (replay && stuck.finalized) return "AlreadyFinalized"
  return null
}

/**
 * Whether `recovery` alone must finish the order from `stuck`. The reconciler only looks at pending and
 * paid orders, so an order the expiry job expired waits for Stripe's retry (or a replay), by design.
 */
export const finalizesAlone = (recovery: Recovery, stuck: Stuck): boolean => {
  if (stuck.finalized) return true
  if (recovery === "reconcile") return stuck.status === "pending" || stuck.status === "paid"
  return allowedRefusal(recovery, stuck) === null
}
