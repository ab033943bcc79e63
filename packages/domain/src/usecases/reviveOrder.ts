import { Duration, Effect, Option, Random } from "effect"
import { OrderNotFound } from "../errors.js"
import type { Order, Payment } from "../model/Order.js"
import { Metrics } from "../ports/Metrics.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import { deadRecordStatus, holdAnew } from "./holdAnew.js"
import { releaseHolds } from "./releaseOrder.js"

const superseded = (claimed: number | null) => ({ _tag: "Superseded", claimed }) as const

/**
 * A revival someone else is running: the order is still released but at an epoch past the checkout's
 * (0), claimed by another delivery (expired and cancelled orders come from pending only, so nothing
 * else moves their epoch). `passed` is an epoch the caller claimed itself or waited out: nobody runs it.
 */
export const revivalUnderWay = (order: Order, passed: number | null): boolean =>
  order.holdEpoch > 0 && order.holdEpoch !== passed

/** Re-reads of an order a delivery makes while another delivery revives it, before taking it over. */
const REVIVAL_WAITS = 4

/** The least a wait's pause may grow to with each re-read, for a store that answers at once. */
const WAIT_STEP_MS = 20

/**
 * A revival's store calls: the claim, a read and a hold per product, the coupon's read, record and
 * hold, and the move to paid.
 */
const revivalCalls = (order: Order): number => 2 + 2 * order.items.length + (order.couponId === null ? 0 : 3)

/**
 * Wait for another delivery's revival of `order` to move it on (to paid, to review, or to a newer
 * epoch), re-reading it a fixed number of times. Each pause may last as long as the whole revival's
 * calls take at the pace the store answers this caller now, so a store slowed by load lengthens the
 * wait rather than making the revival look abandoned. The order as last read: unchanged means the
 * revival did not finish within the wait (it crashed), and the caller takes it over.
 */
export const awaitRevival = (order: Order) =>
  Effect.gen(function* () {
    const orders = yield* OrderRepository
    let latencyMs = 0
    let current = order
    for (let wait = 1; wait <= REVIVAL_WAITS; wait++) {
      const ceiling = Math.max(WAIT_STEP_MS * wait, revivalCalls(order) * latencyMs)
      yield* Effect.sleep(Duration.millis(yield* Random.nextIntBetween(1, ceiling)))
      const [took, reread] = yield* Effect.timed(orders.findById(order.id))
      if (Option.isNone(reread)) return yield* new OrderNotFound({ key: order.id })
      latencyMs = Duration.toMillis(took)
      current = reread.value
      if (current.status !== order.status || current.holdEpoch !== order.holdEpoch) return current
    }
    return current
  })

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
