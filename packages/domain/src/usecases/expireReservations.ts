import { Effect, Option } from "effect"
import { holdKey } from "../model/Hold.js"
import { isFinalized } from "../model/OrderStatus.js"
import { Clock } from "../ports/Clock.js"
import { CouponRepository } from "../ports/CouponRepository.js"
import { CouponReservationRepository } from "../ports/CouponReservationRepository.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import { releaseOrder } from "./releaseOrder.js"

export interface ExpiryReport {
  readonly ordersExpired: number
  readonly reservationsExpired: number
  readonly reservationsRedeemed: number
}

const BATCH = 100

/**
 * The expiry job. First, pending orders past their reservation become `expired` and give back stock
 * and coupon. Then any coupon reservation still `reserved` past its expiry (the runbook's leak query)
 * is settled from its order's state: a paid order finishes its redemption, any other gives the unit back.
 * Afterwards no reservation is `reserved` with expiresAt before `now` (I4).
 */
export const expireReservations = (options: { readonly maxBatches?: number } = {}) =>
  Effect.gen(function* () {
    const now = yield* (yield* Clock).now
    const orders = yield* OrderRepository
    const reservations = yield* CouponReservationRepository
    const coupons = yield* CouponRepository
    const maxBatches = options.maxBatches ?? 100
    let ordersExpired = 0
    let reservationsExpired = 0
    let reservationsRedeemed = 0

    for (let batch = 0; batch < maxBatches; batch++) {
      const due = yield* orders.findExpiredPending(now, BATCH)
      for (const order of due) {
        const after = yield* releaseOrder(order, "expire", now)
        if (Option.isSome(after) && after.value.status === "expired") ordersExpired++
      }
      if (due.length < BATCH) break
    }

    for (let batch = 0; batch < maxBatches; batch++) {
      const leaked = yield* reservations.findLeaked(now, BATCH)
      for (const reservation of leaked) {
        const order = yield* orders.findById(reservation.orderId)
        const status = Option.isSome(order) ? order.value.status : null
        if (Option.isSome(order) && order.value.status === "pending") {
          // Pending with a reservation past its expiry: the order's own expiry is what is due.
          yield* releaseOrder(order.value, "expire", now)
          reservationsExpired++
        } else if (Option.isSome(order) && (status === "paid" || (status !== null && isFinalized(status)))) {
          // The payment won; finishing its redemption is the same idempotent step finalization runs. The
          // hold goes first so that a crash between the two leaves the record `reserved` for the next run.
          yield* coupons.redeemHold(
            reservation.couponId,
            holdKey(reservation.orderId, order.value.holdEpoch),
            now,
          )
          yield* reservations.transition(
            reservation.couponId,
            reservation.orderId,
            ["reserved"],
            "redeemed",
            now,
          )
          reservationsRedeemed++
        } else {
          // The record belongs to the checkout's holds (epoch 0); a later epoch is a late payment's
          // revival under way, whose holds are not this job's to release.
          yield* coupons.releaseHold(reservation.couponId, holdKey(reservation.orderId, 0), now)
          yield* reservations.transition(
            reservation.couponId,
            reservation.orderId,
            ["reserved"],
            "expired",
            now,
          )
          reservationsExpired++
        }
      }
      if (leaked.length < BATCH) break
    }
    if (ordersExpired + reservationsExpired > 0) {
      yield* Effect.logInfo(
        `[jobs.expiry] expired ${ordersExpired} orders, ${reservationsExpired} coupon reservations`,
      )
    }
    return { ordersExpired, reservationsExpired, reservationsRedeemed } satisfies ExpiryReport
  })
