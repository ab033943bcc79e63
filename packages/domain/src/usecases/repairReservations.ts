import { Effect, Option } from "effect"
import type { Coupon } from "../model/Coupon.js"
import { type Hold, holdKey } from "../model/Hold.js"
import type { Order } from "../model/Order.js"
import { isFinalized } from "../model/OrderStatus.js"
import { Clock } from "../ports/Clock.js"
import { CouponRepository } from "../ports/CouponRepository.js"
import { CouponReservationRepository } from "../ports/CouponReservationRepository.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import { ProductCatalog } from "../ports/ProductCatalog.js"

/** Holds younger than this may belong to a checkout or a late payment still under way: leave them. */
export const DEFAULT_REPAIR_GRACE_MS = 10 * 60 * 1000

export interface CounterDrift {
  readonly couponId: string
  readonly code: string
  readonly before: { readonly available: number; readonly reservedCount: number }
  readonly after: { readonly available: number; readonly reservedCount: number }
}

export interface RepairReport {
  readonly holdsReleased: number
  readonly reservationsSettled: number
  readonly drift: ReadonlyArray<CounterDrift>
}

/** A hold nobody will ever commit or release: its order is gone, moved on, or uses another epoch. */
const isOrphan = (hold: Hold, order: Option.Option<Order>, now: Date, graceMs: number): boolean => {
  if (now.getTime() - hold.at.getTime() < graceMs) return false
  if (Option.isNone(order)) return true
  const { status, holdEpoch, expiresAt } = order.value
  if (hold.key !== holdKey(order.value.id, holdEpoch)) return true
  return status === "expired" || status === "cancelled" || (status === "payment_review" && expiresAt < now)
}

const settleRecords = (coupon: Coupon, now: Date) =>
  Effect.gen(function* () {
    const reservations = yield* CouponReservationRepository
    const orders = yield* OrderRepository
    let settled = 0
    for (const record of yield* reservations.listByCoupon(coupon.id, "reserved")) {
      const order = yield* orders.findById(record.orderId)
      const status = Option.isSome(order) ? order.value.status : null
      const to =
        status !== null && isFinalized(status)
          ? "redeemed"
          : status === null || status === "expired" || status === "cancelled"
            ? "expired"
            : null
      if (to === null) continue
      const moved = yield* reservations.transition(coupon.id, record.orderId, ["reserved"], to, now)
      if (Option.isSome(moved)) settled++
    }
    return settled
  })

/**
 * The repair job (runbook scenario 3): release holds left behind by a crash, settle reservation records
 * whose order has moved on, and rewrite any coupon counter that disagrees with its holds, reporting the
 * drift. One conditional write per fix; it never edits in bulk.
 */
export const repairReservations = (options: { readonly graceMs?: number } = {}) =>
  Effect.gen(function* () {
    const now = yield* (yield* Clock).now
    const graceMs = options.graceMs ?? DEFAULT_REPAIR_GRACE_MS
    const orders = yield* OrderRepository
    const coupons = yield* CouponRepository
    const catalog = yield* ProductCatalog
    let holdsReleased = 0
    let reservationsSettled = 0
    const drift: Array<CounterDrift> = []

    for (const product of yield* catalog.list()) {
      for (const hold of product.holds) {
        if (!isOrphan(hold, yield* orders.findById(hold.orderId), now, graceMs)) continue
        if ((yield* catalog.releaseHold(product.id, hold.key, now)) === "released") holdsReleased++
      }
    }
    for (const coupon of yield* coupons.list()) {
      for (const hold of coupon.holds) {
        if (!isOrphan(hold, yield* orders.findById(hold.orderId), now, graceMs)) continue
        if ((yield* coupons.releaseHold(coupon.id, hold.key, now)) === "released") holdsReleased++
      }
      reservationsSettled += yield* settleRecords(coupon, now)
      const latest = yield* coupons.findById(coupon.id)
      if (Option.isNone(latest)) continue
      const current = latest.value
      const reserved = current.holds.reduce((sum, hold) => sum + hold.quantity, 0)
      const available = Math.max(0, current.maxRedemptions - reserved - current.redeemedCount)
      if (current.reservedCount === reserved && current.available === available) continue
      const fixed = yield* coupons.recount(current.id, current.version, now)
      if (Option.isNone(fixed)) continue
      drift.push({
        couponId: current.id,
        code: current.code,
        before: { available: current.available, reservedCount: current.reservedCount },
        after: { available: fixed.value.available, reservedCount: fixed.value.reservedCount },
      })
    }
    for (const item of drift) {
      yield* Effect.logWarning(
        `[jobs.repair] coupon ${item.code} counters drifted; rewritten from its holds`,
      ).pipe(Effect.annotateLogs({ before: item.before, after: item.after }))
    }
    return { holdsReleased, reservationsSettled, drift } satisfies RepairReport
  })
