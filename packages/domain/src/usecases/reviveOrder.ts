import { Effect, Option } from "effect"
import { type HoldOutcome, holdKey } from "../model/Hold.js"
import type { Order, Payment } from "../model/Order.js"
import { sourcesOf } from "../model/OrderStatus.js"
import { CouponRepository } from "../ports/CouponRepository.js"
import { Metrics } from "../ports/Metrics.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import { ProductCatalog } from "../ports/ProductCatalog.js"
import { releaseHolds } from "./releaseOrder.js"

const granted = (outcome: HoldOutcome) => outcome === "held" || outcome === "already_held"

/**
 * A payment for an order that expired or was cancelled locally: the customer paid, so honor it when
 * its capacity can be held again, else send it to review. The new holds use the next epoch, so a
 * release of the old ones still under way cannot take them; they are taken before the status moves to
 * paid, so a paid order always has its holds.
 */
export const reviveOrder = (order: Order, payment: Partial<Payment>, at: Date) =>
  Effect.gen(function* () {
    const epoch = order.holdEpoch + 1
    const key = holdKey(order.id, epoch)
    const catalog = yield* ProductCatalog
    let ok = true
    for (const item of order.items) {
      if (!ok) break
      ok = granted(yield* catalog.hold(item.productId, key, order.id, item.quantity, at))
    }
    if (ok && order.couponId !== null) {
      ok = granted(yield* (yield* CouponRepository).hold(order.couponId, key, order.id, at))
    }
    const orders = yield* OrderRepository
    if (ok) {
      yield* orders.transition(order.id, [order.status], { status: "paid", holdEpoch: epoch, payment }, at)
      return { _tag: "Revived" } as const
    }
    yield* releaseHolds(order, epoch, at, "released")
    const moved = yield* orders.transition(
      order.id,
      sourcesOf("review"),
      { status: "payment_review", reviewReason: "late_payment_capacity_gone", payment },
      at,
    )
    yield* (yield* Metrics).paymentReview("late_payment_capacity_gone")
    yield* Effect.logWarning(
      "[stripe.webhook] late payment for a released order: capacity gone, held for review",
    )
    return { _tag: "InReview", order: Option.getOrElse(moved, () => order) } as const
  })
