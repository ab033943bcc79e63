import { Effect, Option } from "effect"
import type { StoreError } from "../errors.js"
import { type Hold, type HoldOutcome, holdKey } from "../model/Hold.js"
import type { Order, Payment } from "../model/Order.js"
import { CouponRepository } from "../ports/CouponRepository.js"
import { CouponReservationRepository } from "../ports/CouponReservationRepository.js"
import { Metrics } from "../ports/Metrics.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import { ProductCatalog } from "../ports/ProductCatalog.js"
import { releaseHolds } from "./releaseOrder.js"

const granted = (outcome: HoldOutcome) => outcome === "held" || outcome === "already_held"

/** Keys of the epochs before `epoch`: dead once `epoch` is claimed, whoever still holds under them. */
const deadKeys = (order: Order, epoch: number): ReadonlySet<string> =>
  new Set(Array.from({ length: epoch }, (_, past) => holdKey(order.id, past)))

/** What a holder of capacity (a product's stock, a coupon's redemptions) shows a revival. */
interface Capacity {
  readonly holds: ReadonlyArray<Hold>
  readonly available: number
}

/** How many times a revival retries a hold that its own superseded revivals keep contending. */
const MAX_HOLD_ATTEMPTS = 8

/**
 * Take `needed` units under `key`. When refused, the shortage may be this order's own dead holds, left
 * by a revival that a newer claim superseded and that has not given them back yet: release those and
 * retry, so that only capacity really taken by other orders sends a paid order to review ("gone").
 * "contended" when the retries ran out without an answer: the caller reads the order again.
 */
const holdAgain = (
  take: Effect.Effect<HoldOutcome, StoreError>,
  read: Effect.Effect<Option.Option<Capacity>, StoreError>,
  release: (key: string) => Effect.Effect<unknown, StoreError>,
  dead: ReadonlySet<string>,
  needed: number,
) =>
  Effect.gen(function* () {
    for (let attempt = 0; attempt < MAX_HOLD_ATTEMPTS; attempt++) {
      const outcome = yield* take
      if (granted(outcome)) return "held" as const
      const capacity = yield* read
      if (outcome === "not_found" || Option.isNone(capacity)) return "gone" as const
      const stale = capacity.value.holds.filter((hold) => dead.has(hold.key))
      for (const hold of stale) yield* release(hold.key)
      if (stale.length === 0 && capacity.value.available < needed) return "gone" as const
    }
    return "contended" as const
  })

/**
 * A payment for an order that expired or was cancelled locally: the customer paid, so honor it when
 * its capacity can be held again, else send it to review. Hold keys are forgotten once committed or
 * released, so two revivals sharing an epoch could undo or double each other's holds: a revival first
 * claims the next epoch with a write conditional on the epoch it read. Of revivals racing from one read,
 * one proceeds; one from a stale read (the order was revived since) takes nothing; a newer claim
 * supersedes an older one, whose holds are then nobody's. The holds are taken before the status moves
 * to paid, so a paid order always has its holds.
 */
export const reviveOrder = (order: Order, payment: Partial<Payment>, at: Date) =>
  Effect.gen(function* () {
    const orders = yield* OrderRepository
    const from = [order.status]
    const epoch = order.holdEpoch + 1
    const claimed = yield* orders.transition(order.id, from, { holdEpoch: epoch }, at, order.holdEpoch)
    if (Option.isNone(claimed)) return { _tag: "Superseded" } as const
    const key = holdKey(order.id, epoch)
    const dead = deadKeys(order, epoch)
    const catalog = yield* ProductCatalog
    const coupons = yield* CouponRepository
    // Earlier epochs are dead now. Finish their release (the expiry may still be giving them back, and a
    // crashed revival leaves its holds behind), or the order's own holds would look like capacity gone.
    for (const { productId } of order.items) {
      const product = yield* catalog.findById(productId)
      for (const hold of Option.isSome(product) ? product.value.holds : []) {
        if (dead.has(hold.key)) yield* catalog.releaseHold(productId, hold.key, at)
      }
    }
    const recordStatus = order.status === "cancelled" ? "released" : "expired"
    if (order.couponId !== null) {
      const coupon = yield* coupons.findById(order.couponId)
      for (const hold of Option.isSome(coupon) ? coupon.value.holds : []) {
        if (dead.has(hold.key)) yield* coupons.releaseHold(order.couponId, hold.key, at)
      }
      yield* (yield* CouponReservationRepository).transition(
        order.couponId,
        order.id,
        ["reserved"],
        recordStatus,
        at,
      )
    }
    let held: "held" | "gone" | "contended" = "held"
    for (const { productId, quantity } of order.items) {
      if (held !== "held") break
      held = yield* holdAgain(
        catalog.hold(productId, key, order.id, quantity, at),
        Effect.map(
          catalog.findById(productId),
          Option.map((p) => ({ holds: p.holds, available: p.stock.available })),
        ),
        (stale) => catalog.releaseHold(productId, stale, at),
        dead,
        quantity,
      )
    }
    const couponId = order.couponId
    if (held === "held" && couponId !== null) {
      held = yield* holdAgain(
        coupons.hold(couponId, key, order.id, at),
        Effect.map(
          coupons.findById(couponId),
          Option.map((c) => ({ holds: c.holds, available: c.active ? c.available : 0 })),
        ),
        (stale) => coupons.releaseHold(couponId, stale, at),
        dead,
        1,
      )
    }
    if (held === "held") {
      const paid = yield* orders.transition(order.id, from, { status: "paid", payment }, at, epoch)
      if (Option.isNone(paid)) yield* releaseHolds(order, epoch, at, recordStatus)
      return Option.isSome(paid) ? ({ _tag: "Revived" } as const) : ({ _tag: "Superseded" } as const)
    }
    // Our claim's holds are ours alone: give them back before the order waits for a human.
    yield* releaseHolds(order, epoch, at, "released")
    if (held === "contended") return { _tag: "Superseded" } as const
    const moved = yield* orders.transition(
      order.id,
      from,
      { status: "payment_review", reviewReason: "late_payment_capacity_gone", payment },
      at,
      epoch,
    )
    if (Option.isNone(moved)) return { _tag: "Superseded" } as const
    yield* (yield* Metrics).paymentReview("late_payment_capacity_gone")
    yield* Effect.logWarning(
      "[stripe.webhook] late payment for a released order: capacity gone, held for review",
    )
    return { _tag: "InReview", order: moved.value } as const
  })
