import { Effect, Option } from "effect"
import type { StoreError } from "../errors.js"
import { type Hold, type HoldOutcome, holdKey } from "../model/Hold.js"
import type { Order } from "../model/Order.js"
import { CouponRepository } from "../ports/CouponRepository.js"
import { CouponReservationRepository } from "../ports/CouponReservationRepository.js"
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
 * retry, so that only capacity really taken by other orders counts as "gone".
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

/** The reservation record's status once the holds it stood for are dead. */
export const deadRecordStatus = (order: Order): "expired" | "released" =>
  order.status === "expired" ? "expired" : "released"

/** What holding an order's capacity under a new epoch came to; only `Held` keeps anything held. */
export type Rehold =
  /** Another writer moved the order or claimed the epoch first: nothing was taken. */
  | { readonly _tag: "Superseded" }
  | { readonly _tag: "Held"; readonly epoch: number }
  /** `resource` (a sku, or `coupon <code>`) is taken by other orders; what was held is given back. */
  | { readonly _tag: "Gone"; readonly epoch: number; readonly resource: string }
  /** The retries ran out against the order's own older holds; what was held is given back. */
  | { readonly _tag: "Contended"; readonly epoch: number }

/**
 * Hold an order's stock and coupon again, for a late payment (revival) or a payment a human accepts
 * from review. Hold keys are forgotten once committed or released, so two of these sharing an epoch
 * could undo or double each other's holds: this first claims the next epoch with a write conditional
 * on the status and the epoch it read. Of claims racing from one read, one proceeds; a newer claim
 * supersedes an older one, whose holds are then nobody's. The jobs leave a new epoch's holds alone too:
 * the expiry job releases checkout holds (epoch 0) only, the repair job no hold younger than its grace.
 */
export const holdAnew = (order: Order, at: Date) =>
  Effect.gen(function* () {
    const orders = yield* OrderRepository
    const epoch = order.holdEpoch + 1
    const claimed = yield* orders.transition(
      order.id,
      [order.status],
      { holdEpoch: epoch },
      at,
      order.holdEpoch,
    )
    if (Option.isNone(claimed)) return { _tag: "Superseded" } satisfies Rehold
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
    if (order.couponId !== null) {
      const coupon = yield* coupons.findById(order.couponId)
      for (const hold of Option.isSome(coupon) ? coupon.value.holds : []) {
        if (dead.has(hold.key)) yield* coupons.releaseHold(order.couponId, hold.key, at)
      }
      yield* (yield* CouponReservationRepository).transition(
        order.couponId,
        order.id,
        ["reserved"],
        deadRecordStatus(order),
        at,
      )
    }
    let held: "held" | "gone" | "contended" = "held"
    let resource = ""
    for (const { productId, quantity, sku } of order.items) {
      if (held !== "held") break
      resource = sku
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
      resource = `coupon ${order.couponCode ?? couponId}`
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
    if (held === "held") return { _tag: "Held", epoch } satisfies Rehold
    // Our claim's holds are ours alone: give them back before the caller decides what happens next.
    yield* releaseHolds(order, epoch, at, "released")
    return held === "gone"
      ? ({ _tag: "Gone", epoch, resource } satisfies Rehold)
      : ({ _tag: "Contended", epoch } satisfies Rehold)
  })
