import {
  type CommitOutcome,
  type Coupon,
  CouponRepository,
  DuplicateKey,
  type HoldOutcome,
  type ReleaseOutcome,
} from "@settle/domain"
import { Effect, Layer, Option } from "effect"
import { byText, copy, makeCollection } from "./Collection.js"

type Counters = Pick<Coupon, "available" | "reservedCount" | "redeemedCount">

export const make: Effect.Effect<CouponRepository> = Effect.sync(() => {
  const coupons = makeCollection<Coupon, "code">({
    indexes: { code: (c) => c.code },
    order: byText((c) => c.code),
  })

  // Answers what it wrote, which the store keeps a copy of: copy it again before handing it out.
  const save = (coupon: Coupon, at: Date): Coupon => {
    const next: Coupon = { ...coupon, version: coupon.version + 1, updatedAt: at }
    coupons.put(coupon.id, next)
    return next
  }

  /** Remove the hold of `key` and move its units with `move`, in one step; false when `key` holds nothing. */
  const settle = (id: string, key: string, at: Date, move: (c: Counters, quantity: number) => Counters) =>
    Effect.sync((): boolean => {
      const coupon = coupons.peek(id)
      const hold = coupon?.holds.find((h) => h.key === key)
      if (coupon === undefined || hold === undefined) return false
      save(
        { ...coupon, ...move(coupon, hold.quantity), holds: coupon.holds.filter((h) => h.key !== key) },
        at,
      )
      return true
    })

  const service: CouponRepository = {
    insert: (coupon) =>
      Effect.suspend(() => {
        if (coupons.peek(coupon.id) !== undefined) {
          return Effect.fail(new DuplicateKey({ entity: "coupons", key: `id=${coupon.id}` }))
        }
        if (coupons.some("code", coupon.code)) {
          return Effect.fail(new DuplicateKey({ entity: "coupons", key: `code=${coupon.code}` }))
        }
        coupons.put(coupon.id, coupon)
        return Effect.void
      }),

    findById: (id) => Effect.sync(() => coupons.find(id)),

    findByCode: (code) => Effect.sync(() => coupons.findFirst("code", code)),

    list: () => Effect.sync(() => coupons.walk()),

    // The collection keeps code order, so a page is a binary search to its start and `limit` reads.
    listPage: ({ after, limit }) =>
      Effect.sync(() =>
        coupons.walk(undefined, limit, after === undefined ? undefined : { from: (c) => c.code > after }),
      ),

    update: (id, expectedVersion, changes, at) =>
      Effect.sync(() => {
        const coupon = coupons.peek(id)
        if (coupon === undefined || coupon.version !== expectedVersion) return Option.none()
        return Option.some(
          copy(
            save(
              {
                ...coupon,
                active: changes.active ?? coupon.active,
                expiresAt: changes.expiresAt !== undefined ? changes.expiresAt : coupon.expiresAt,
              },
              at,
            ),
          ),
        )
      }),

    hold: (id, key, orderId, at) =>
      Effect.sync((): HoldOutcome => {
        const coupon = coupons.peek(id)
        if (coupon === undefined) return "not_found"
        if (coupon.holds.some((h) => h.key === key)) return "already_held"
        if (!coupon.active || coupon.available <= 0) return "insufficient"
        save(
          {
            ...coupon,
            available: coupon.available - 1,
            reservedCount: coupon.reservedCount + 1,
            holds: [...coupon.holds, { key, orderId, quantity: 1, at }],
          },
          at,
        )
        return "held"
      }),

    redeemHold: (id, key, at) =>
      Effect.map(
        settle(id, key, at, (c, q) => ({
          available: c.available,
          reservedCount: c.reservedCount - q,
          redeemedCount: c.redeemedCount + q,
        })),
        (moved): CommitOutcome => (moved ? "committed" : "not_held"),
      ),

    releaseHold: (id, key, at) =>
      Effect.map(
        settle(id, key, at, (c, q) => ({
          available: c.available + q,
          reservedCount: c.reservedCount - q,
          redeemedCount: c.redeemedCount,
        })),
        (moved): ReleaseOutcome => (moved ? "released" : "not_held"),
      ),

    recount: (id, expectedVersion, at) =>
      Effect.sync(() => {
        const coupon = coupons.peek(id)
        if (coupon === undefined || coupon.version !== expectedVersion) return Option.none()
        const reservedCount = coupon.holds.reduce((sum, h) => sum + h.quantity, 0)
        const available = Math.max(0, coupon.maxRedemptions - reservedCount - coupon.redeemedCount)
        return Option.some(copy(save({ ...coupon, reservedCount, available }, at)))
      }),
  }
  return service
})

export const layer: Layer.Layer<CouponRepository> = Layer.effect(CouponRepository, make)
