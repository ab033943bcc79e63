import { Effect, Option } from "effect"
import type { Order, Payment } from "../model/Order.js"
import { Metrics } from "../ports/Metrics.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import { deadRecordStatus, holdAnew } from "./holdAnew.js"
import { releaseHolds } from "./releaseOrder.js"

const superseded = (claimed: number | null) => ({ _tag: "Superseded", claimed }) as const

/**
 * A revival someone else is running: the order is still released but at an epoch past the checkout's
 * (0), claimed by another delivery (expired and cancelled orders come from pending only, so nothing
 * else moves their epoch). `own` is the epoch this caller claimed and gave up on, which nobody runs.
 */
export const revivalUnderWay = (order: Order, own: number | null): boolean =>
  order.holdEpoch > 0 && order.holdEpoch !== own

/**
 * A payment for an order that expired or was cancelled locally: the customer paid, so honor it when
 * its capacity can be held again (under a new epoch, see holdAnew), else send it to review. The holds
 * are taken before the status moves to paid, so a paid order always has its holds. `Superseded` says
 * which epoch this call claimed, if any: a caller retrying its own abandoned epoch need not wait for it.
 */
export const reviveOrder = (order: Order, payment: Partial<Payment>, at: Date) =>
  Effect.gen(function* () {
    const orders = yield* OrderRepository
    const from = [order.status]
    const held = yield* holdAnew(order, at)
    if (held._tag === "Held") {
      const paid = yield* orders.transition(order.id, from, { status: "paid", payment }, at, held.epoch)
      if (Option.isNone(paid)) yield* releaseHolds(order, held.epoch, at, deadRecordStatus(order))
      return Option.isSome(paid) ? ({ _tag: "Revived" } as const) : superseded(held.epoch)
    }
    if (held._tag === "Superseded") return superseded(null)
    if (held._tag === "Contended") return superseded(held.epoch)
    const moved = yield* orders.transition(
      order.id,
      from,
      { status: "payment_review", reviewReason: "late_payment_capacity_gone", payment },
      at,
      held.epoch,
    )
    if (Option.isNone(moved)) return superseded(held.epoch)
    yield* (yield* Metrics).paymentReview("late_payment_capacity_gone")
    yield* Effect.logWarning(
      "[stripe.webhook] late payment for a released order: capacity gone, held for review",
    )
    return { _tag: "InReview", order: moved.value } as const
  })
