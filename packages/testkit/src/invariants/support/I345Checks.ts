import {
  type Coupon,
  CouponRepository,
  type CouponReservation,
  CouponReservationRepository,
  type CouponReservationStatus,
  isFinalized,
  type Order,
  OrderRepository,
  type Product,
  ProductCatalog,
} from "@settle/domain"
import { Effect } from "effect"

/** Everything the I3-I5 invariants speak about, read back through the ports. */
export interface Snapshot {
  readonly products: ReadonlyArray<Product>
  readonly coupons: ReadonlyArray<Coupon>
  /** By id: list order among equal createdAt is up to the store. */
  readonly orders: ReadonlyArray<Order>
  readonly reservations: ReadonlyArray<CouponReservation>
}

const STATUSES: ReadonlyArray<CouponReservationStatus> = ["reserved", "redeemed", "released", "expired"]

const byId = (a: Order, b: Order) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

export const snapshot = Effect.gen(function* () {
  const products = yield* (yield* ProductCatalog).list()
  const coupons = yield* (yield* CouponRepository).list()
  const orders = [...(yield* (yield* OrderRepository).list({ limit: 100_000 }))].sort(byId)
  const repository = yield* CouponReservationRepository
  const reservations: Array<CouponReservation> = []
  for (const coupon of coupons) {
    for (const status of STATUSES) reservations.push(...(yield* repository.listByCoupon(coupon.id, status)))
  }
  return { products, coupons, orders, reservations } satisfies Snapshot
})

const held = (holds: ReadonlyArray<{ readonly quantity: number }>): number =>
  holds.reduce((sum, hold) => sum + hold.quantity, 0)

export const reservedRecords = (s: Snapshot, coupon: Coupon): number =>
  s.reservations.filter((r) => r.couponId === coupon.id && r.status === "reserved").length

/**
 * I3 after any step, crashed or not: the counters partition maxRedemptions, no unit is both promised
 * and redeemed, the counter agrees with the holds, and every redemption belongs to a verified payment.
 * A redemption may run ahead of its order's confirmation only while that order is stuck in `paid`
 * (the runbook's crash window), so the exact equality is demanded once no order is stuck.
 */
export const couponViolations = (s: Snapshot): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (const c of s.coupons) {
    const tag = `coupon ${c.code}`
    if (c.available < 0 || c.reservedCount < 0 || c.redeemedCount < 0) {
      out.push(`${tag}: negative counter ${JSON.stringify(counters(c))}`)
    }
    if (c.available + c.reservedCount + c.redeemedCount !== c.maxRedemptions) {
      out.push(`${tag}: ${JSON.stringify(counters(c))} does not sum to max ${c.maxRedemptions}`)
    }
    const promised = reservedRecords(s, c)
    if (c.redeemedCount + promised > c.maxRedemptions) {
      out.push(`${tag}: redeemed ${c.redeemedCount} + reserved records ${promised} > max ${c.maxRedemptions}`)
    }
    if (c.reservedCount !== held(c.holds)) {
      out.push(`${tag}: reservedCount ${c.reservedCount} but holds sum to ${held(c.holds)}`)
    }
    const using = s.orders.filter((o) => o.couponId === c.id)
    const finalized = using.filter((o) => isFinalized(o.status)).length
    const stuck = using.filter((o) => o.status === "paid").length
    if (c.redeemedCount < finalized || c.redeemedCount > finalized + stuck) {
      out.push(`${tag}: redeemedCount ${c.redeemedCount}, finalized orders ${finalized}, stuck paid ${stuck}`)
    }
  }
  return out
}

/** I3 once the repair job ran: the operator's comparison of reservedCount with the reserved records. */
export const repairedCouponViolations = (s: Snapshot): ReadonlyArray<string> =>
  s.coupons.flatMap((c) =>
    c.reservedCount === reservedRecords(s, c)
      ? []
      : [`coupon ${c.code}: reservedCount ${c.reservedCount} but ${reservedRecords(s, c)} reserved records`],
  )

export const counters = (c: Coupon) => ({
  available: c.available,
  reservedCount: c.reservedCount,
  redeemedCount: c.redeemedCount,
})

/** The units each product started with: what I5 conserves. */
export const totals = (products: ReadonlyArray<Product>): ReadonlyMap<string, number> =>
  new Map(products.map((p) => [p.id, p.stock.available + p.stock.reserved + p.stock.committed]))

/** I5 after any step: per product, nothing created or lost, nothing negative, reserved = held units. */
export const stockViolations = (s: Snapshot, initial: ReadonlyMap<string, number>): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (const p of s.products) {
    const { available, reserved, committed } = p.stock
    const tag = `product ${p.sku} ${JSON.stringify(p.stock)}`
    if (available + reserved + committed !== initial.get(p.id)) {
      out.push(`${tag}: total ${available + reserved + committed}, started with ${initial.get(p.id)}`)
    }
    if (available < 0 || reserved < 0 || committed < 0) out.push(`${tag}: negative`)
    if (reserved !== held(p.holds)) out.push(`${tag}: holds sum to ${held(p.holds)}`)
  }
  return out
}
