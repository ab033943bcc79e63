import type { SandboxSession } from "@settle/adapters"
import {
  DEFAULT_STALE_AFTER_MS,
  expireReservations,
  type Order,
  reconcileOrders,
  repairReservations,
} from "@settle/domain"
import { Effect } from "effect"
import * as fc from "fast-check"
import { ORDER_KINDS, type OrderKind } from "./I678States.js"

export type JobName = "reconcile" | "expire" | "repair"

export interface JobScenario {
  /** Orders placed at `minute` (ascending), some with the coupon. */
  readonly orders: ReadonlyArray<{
    readonly kind: OrderKind
    readonly minute: number
    readonly coupon: boolean
  }>
  /** Each job runs after the clock moved on `minutes`. */
  readonly jobs: ReadonlyArray<{ readonly job: JobName; readonly minutes: number }>
}

export const jobScenario: fc.Arbitrary<JobScenario> = fc.record({
  orders: fc
    .array(
      fc.record({
        kind: fc.constantFrom(...ORDER_KINDS),
        // Placed across 40 minutes, so some are fresh, some stale (10 min), some past expiry (30 min).
        minute: fc.integer({ min: 0, max: 40 }),
        coupon: fc.boolean(),
      }),
      { minLength: 6, maxLength: 14 },
    )
    .map((orders) => [...orders].sort((a, b) => a.minute - b.minute)),
  jobs: fc.array(
    fc.record({
      job: fc.constantFrom<JobName>("reconcile", "expire", "repair"),
      minutes: fc.integer({ min: 0, max: 45 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
})

export const runJob = (job: JobName) => {
  switch (job) {
    case "reconcile":
      return Effect.asVoid(reconcileOrders())
    case "expire":
      return Effect.asVoid(expireReservations())
    case "repair":
      return Effect.asVoid(repairReservations())
  }
}

/**
 * The status `job`, run at `now`, must move `order` to, or null when the order is none of its business
 * (it must then come out byte for byte as it went in). Decided from the order and Stripe's session
 * before the run, the way the runbook describes each job.
 */
export const expectedFix = (
  job: JobName,
  order: Order,
  session: SandboxSession | undefined,
  now: Date,
): Order["status"] | null => {
  switch (job) {
    case "repair":
      // Rewrites coupon and stock holds only; an order is never its to change.
      return null
    case "expire":
      return order.status === "pending" && order.expiresAt < now ? "expired" : null
    case "reconcile": {
      const stale = order.updatedAt.getTime() < now.getTime() - DEFAULT_STALE_AFTER_MS
      if (!stale) return null
      if (order.status === "paid") return "confirmed"
      if (order.status !== "pending" || session === undefined) return null
      if (session.status === "expired") return "expired"
      if (session.status !== "complete" || session.paymentStatus !== "paid") return null
      const matches =
        session.amount.amount === order.totals.total && session.amount.currency === order.totals.currency
      return matches ? "confirmed" : "payment_review"
    }
  }
}
