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

/**
 * A coupon whose holds (and so its reservedCount, rewritten from them) disagree with its `reserved`
 * reservation records (DESIGN §4), order by order. Only reported: which side is wrong is a question
 * about single orders, for a human with an audit note, never a bulk rewrite of records.
 */
export interface RecordDrift {
  readonly couponId: string
  readonly code: string
  readonly reservedCount: number
  readonly reservedRecords: number
  /** Orders holding a redemption of the coupon with no `reserved` record. */
  readonly heldWithoutRecord: ReadonlyArray<string>
  /** Orders with a `reserved` record that hold no redemption. */
  readonly recordedWithoutHold: ReadonlyArray<string>
}

export interface RepairReport {
  readonly holdsReleased: number
  readonly reservationsSettled: number
  readonly drift: ReadonlyArray<CounterDrift>
  readonly recordDrift: ReadonlyArray<RecordDrift>
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
 * Compare the coupon's holds with its `reserved` records. Holds and records changed within the grace
 * may belong to a checkout or a revival between its two writes, so they count on both sides and are
 * never named as drift.
 */
const recordDriftOf = (coupon: Coupon, now: Date, graceMs: number) =>
  Effect.gen(function* () {
    const records = yield* (yield* CouponReservationRepository).listByCoupon(coupon.id, "reserved")
    const settled = (at: Date) => now.getTime() - at.getTime() >= graceMs
    const holders = new Set(coupon.holds.map((hold) => hold.orderId))
    const recorded = new Set(records.map((record) => record.orderId))
    const heldWithoutRecord = coupon.holds
      .filter((hold) => settled(hold.at) && !recorded.has(hold.orderId))
      .map((hold) => hold.orderId)
    const recordedWithoutHold = records
      .filter((record) => settled(record.updatedAt) && !holders.has(record.orderId))
      .map((record) => record.orderId)
    if (heldWithoutRecord.length === 0 && recordedWithoutHold.length === 0) return Option.none()
    return Option.some<RecordDrift>({
      couponId: coupon.id,
      code: coupon.code,
      reservedCount: coupon.reservedCount,
      reservedRecords: records.length,
      heldWithoutRecord,
      recordedWithoutHold,
    })
  })

/**
 * The repair job (runbook scenario 3): release holds left behind by a crash, settle reservation records
 * whose order has moved on, and rewrite any coupon counter that disagrees with its holds, reporting the
 * drift. One conditional write per fix; it never edits in bulk. Then report, without writing, where
 * the counters still disagree with the reservation records.
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
    const recordDrift: Array<RecordDrift> = []

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
      const fixed =
        current.reservedCount === reserved && current.available === available
          ? Option.none()
          : yield* coupons.recount(current.id, current.version, now)
      if (Option.isSome(fixed)) {
        drift.push({
          couponId: current.id,
          code: current.code,
          before: { available: current.available, reservedCount: current.reservedCount },
          after: { available: fixed.value.available, reservedCount: fixed.value.reservedCount },
        })
      }
      const misrecorded = yield* recordDriftOf(
        Option.getOrElse(fixed, () => current),
        now,
        graceMs,
      )
      if (Option.isSome(misrecorded)) recordDrift.push(misrecorded.value)
    }
    for (const item of drift) {
      yield* Effect.logWarning(
        `[jobs.repair] coupon ${item.code} counters drifted; rewritten from its holds`,
      ).pipe(Effect.annotateLogs({ before: item.before, after: item.after }))
    }
    for (const item of recordDrift) {
      yield* Effect.logWarning(
        `[jobs.repair] coupon ${item.code}: reservedCount ${item.reservedCount} against ${item.reservedRecords} reserved records; left for a human, order by order`,
      ).pipe(
        Effect.annotateLogs({
          heldWithoutRecord: item.heldWithoutRecord,
          recordedWithoutHold: item.recordedWithoutHold,
        }),
      )
    }
    return { holdsReleased, reservationsSettled, drift, recordDrift } satisfies RepairReport
  })
