import { Effect, Option } from "effect"
import { holdKey } from "../model/Hold.js"
import type { Order } from "../model/Order.js"
import { type OrderStatus, sourcesOf } from "../model/OrderStatus.js"
import { CouponRepository } from "../ports/CouponRepository.js"
import { CouponReservationRepository } from "../ports/CouponReservationRepository.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import { ProductCatalog } from "../ports/ProductCatalog.js"

/** Statuses in which an order's holds must go back to available. */
const releasing: ReadonlyArray<OrderStatus> = ["expired", "cancelled"]

/**
 * Give back everything an order holds under one epoch. Each release is conditional on the hold being
 * there, so running this twice, or after a crash half-way, releases each unit once.
 */
export const releaseHolds = (order: Order, epoch: number, at: Date, recordStatus: "expired" | "released") =>
  Effect.gen(function* () {
    const catalog = yield* ProductCatalog
    const key = holdKey(order.id, epoch)
    for (const item of order.items) yield* catalog.releaseHold(item.productId, key, at)
    if (order.couponId !== null) {
      yield* (yield* CouponRepository).releaseHold(order.couponId, key, at)
      yield* (yield* CouponReservationRepository).transition(
        order.couponId,
        order.id,
        ["reserved"],
        recordStatus,
        at,
      )
    }
  })

/**
 * pending → expired/cancelled, then release. The status changes first: once it has, no payment can
 * move the order to paid through the pending path, so a release can never pull units from under a
 * commit. A crash after the status change is repaired by calling this again.
 */
export const releaseOrder = (order: Order, action: "expire" | "cancel", at: Date) =>
  Effect.gen(function* () {
    const orders = yield* OrderRepository
    const to: OrderStatus = action === "expire" ? "expired" : "cancelled"
    const moved = yield* orders.transition(order.id, sourcesOf(action), { status: to }, at)
    const current = Option.isSome(moved) ? moved : yield* orders.findById(order.id)
    if (Option.isNone(current) || !releasing.includes(current.value.status)) return current
    // The epoch this pending order held: a later one belongs to a late payment's revival under way.
    yield* releaseHolds(current.value, order.holdEpoch, at, action === "expire" ? "expired" : "released")
    return current
  })
