import {
  type CommitOutcome,
  type Coupon,
  CouponRepository,
  CouponTerms,
  DuplicateKey,
  type HoldOutcome,
  type ReleaseOutcome,
} from "@settle/domain"
import { Effect, Layer, Option } from "effect"
import { byText, copy, makeCollection } from "./Collection.js"
import { fieldsOf } from "./fieldsOf.js"
import { makeHoldBook } from "./HoldBook.js"

type Counters = Pick<Coupon, "available" | "reservedCount" | "redeemedCount">
/** What the collection keeps: the coupon without its holds, which the book keeps beside it. */
type Stored = Omit<Coupon, "holds">

/** The checkout's read of a stored copy: the terms only, none that a capacity move changes. */
const termsOf: (coupon: Stored) => CouponTerms = fieldsOf(CouponTerms)

export const make: Effect.Effect<CouponRepository> = Effect.sync(() => {
  // The coupons without their holds, which the book keeps beside them (HoldBook says why).
  const coupons = makeCollection<Stored, "code">({
    indexes: { code: (c) => c.code },
    order: byText((c) => c.code),
  })
  const holds = makeHoldBook()

  /** The whole coupon, for the reads that show holds: a stored copy and its holds. */
  const withHolds = (stored: Stored): Coupon => ({ ...stored, holds: holds.list(stored.id) })

  // Answers what it wrote, which the store keeps a copy of: copy it again before handing it out.
  const save = (coupon: Stored, at: Date): Stored => {
    const next: Stored = { ...coupon, version: coupon.version + 1, updatedAt: at }
    coupons.put(coupon.id, next)
    return next
  }

  /** Remove the hold of `key` and move its units with `move`, in one step; false when `key` holds nothing. */
  const settle = (id: string, key: string, at: Date, move: (c: Counters, quantity: number) => Counters) =>
    Effect.sync((): boolean => {
      const coupon = coupons.peek(id)
      const hold = holds.peek(id, key)
      if (coupon === undefined || hold === undefined) return false
      save({ ...coupon, ...move(coupon, hold.quantity) }, at)
      holds.remove(id, key)
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
        const { holds: held, ...stored } = coupon
        coupons.put(coupon.id, stored)
        for (const hold of held) holds.add(coupon.id, hold)
        return Effect.void
      }),

    findById: (id) => Effect.sync(() => Option.map(coupons.find(id), withHolds)),

    // The stored copy is the summary: the holds are kept beside it.
    findSummary: (id) => Effect.sync(() => coupons.find(id)),

    findByCode: (code) => Effect.sync(() => Option.map(coupons.findFirst("code", code), termsOf)),

    list: () => Effect.sync(() => coupons.walk().map(withHolds)),

    // The collection keeps code order, so a page is a binary search to its start and `limit` reads;
    // its stored copies are the summaries, the holds kept beside them.
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
        if (holds.peek(id, key) !== undefined) return "already_held"
        if (!coupon.active || coupon.available <= 0) return "insufficient"
        save({ ...coupon, available: coupon.available - 1, reservedCount: coupon.reservedCount + 1 }, at)
        holds.add(id, { key, orderId, quantity: 1, at })
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
        const reservedCount = holds.units(id)
        const available = Math.max(0, coupon.maxRedemptions - reservedCount - coupon.redeemedCount)
        return Option.some(withHolds(copy(save({ ...coupon, reservedCount, available }, at))))
      }),
  }
  return service
})

export const layer: Layer.Layer<CouponRepository> = Layer.effect(CouponRepository, make)
