import type { SandboxControl } from "@settle/adapters"
import { Clock } from "@settle/domain"
import { Duration, Effect, Schedule } from "effect"
import type { Deliver } from "./delivery.js"

/**
 * Stripe expires an unpaid Checkout Session at its expires_at and sends checkout.session.expired; the
 * sandbox does the same on a timer, so an abandoned checkout releases its stock and coupon by the
 * webhook path, as in production. Runs until interrupted (shutdown).
 */
export const expireDueSessions = (control: SandboxControl, deliver: Deliver, every: Duration.DurationInput) =>
  Effect.gen(function* () {
    const now = yield* (yield* Clock).now
    const events = yield* control.expireDue(now)
    for (const event of events) {
      const delivery = yield* deliver(event)
      yield* Effect.logInfo(
        `[sandbox] session ${event.sessionId} expired; webhook answered ${delivery.status ?? "nothing"}`,
      )
    }
  }).pipe(
    Effect.catchAllCause((cause) => Effect.logError("[sandbox] expiry sweep failed", cause)),
    Effect.repeat(Schedule.spaced(Duration.decode(every))),
  )
