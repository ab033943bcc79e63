import { Effect } from "effect"
import type { Order } from "../model/Order.js"
import { Clock } from "../ports/Clock.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import { PaymentGateway } from "../ports/PaymentGateway.js"
import { type FinalizeOutcome, finalizePayment } from "./finalizePayment.js"
import { releaseOrder } from "./releaseOrder.js"

/** The runbook's "stuck" horizon: orders untouched this long are asked about at the provider. */
export const DEFAULT_STALE_AFTER_MS = 10 * 60 * 1000

export interface ReconcileReport {
  readonly checked: number
  readonly finalized: number
  readonly expired: number
  readonly review: number
  readonly failed: number
}

/**
 * Finish a `paid` order from what it already recorded: the amount was verified when it became paid, or
 * accepted by a human from review.
 */
export const finalizeRecorded = (order: Order) =>
  order.payment.paymentIntentId === null || order.payment.amountReceived === null
    ? Effect.succeed(null)
    : finalizePayment(
        order,
        {
          sessionId: order.payment.sessionId,
          paymentIntentId: order.payment.paymentIntentId,
          amount: {
            amount: order.payment.amountReceived,
            currency: order.payment.currency ?? order.totals.currency,
          },
        },
        null,
      )

/** Ask the provider about one order's session and act on its answer. */
export const reconcileOrder = (order: Order) =>
  Effect.gen(function* () {
    if (order.status === "paid") return yield* finalizeRecorded(order)
    if (order.status !== "pending" || order.payment.sessionId === null) return null
    const state = yield* (yield* PaymentGateway).retrieveSession(order.payment.sessionId)
    if (state.status === "complete" && state.paymentStatus === "paid" && state.paymentIntentId !== null) {
      return yield* finalizePayment(
        order,
        { sessionId: state.sessionId, paymentIntentId: state.paymentIntentId, amount: state.amount },
        null,
      )
    }
    if (state.status !== "expired") return null
    yield* releaseOrder(order, "expire", yield* (yield* Clock).now)
    return "expired" as const
  })

const tally = (outcome: FinalizeOutcome | "expired" | null) =>
  outcome === null ? "none" : outcome === "expired" ? "expired" : outcome._tag

/**
 * The pull-based safety net: orders still pending or paid after N minutes are checked against the
 * provider, so a disabled endpoint or Stripe's exhausted retries lose no order. One order at a time;
 * a provider error on one order does not stop the others.
 */
export const reconcileOrders = (options: { readonly staleAfterMs?: number; readonly limit?: number } = {}) =>
  Effect.gen(function* () {
    const now = yield* (yield* Clock).now
    const before = new Date(now.getTime() - (options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS))
    const stale = yield* (yield* OrderRepository).findStale(["pending", "paid"], before, options.limit ?? 100)
    const report = { checked: stale.length, finalized: 0, expired: 0, review: 0, failed: 0 }
    for (const order of stale) {
      const result = yield* reconcileOrder(order).pipe(
        Effect.map(tally),
        Effect.catchAll((error) =>
          Effect.logWarning(`[jobs.reconcile] could not reconcile: ${error._tag}`).pipe(
            Effect.annotateLogs({ orderId: order.id }),
            Effect.as("failed" as const),
          ),
        ),
      )
      if (result === "Finalized") report.finalized++
      else if (result === "expired") report.expired++
      else if (result === "AmountMismatch" || result === "InReview") report.review++
      else if (result === "failed") report.failed++
    }
    return report satisfies ReconcileReport
  })
