import { type Coupon, CouponRepository, OrderId } from "@settle/domain"
import { Effect, type Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import { aCoupon, minute, termsOf } from "../fixtures.js"
import { HOLDERS, manyHolds } from "./HotHolds.js"
import { racesConditionalWrites, raceTitle, type ServerRaceOptions } from "./ServerRaces.js"

const orderId = OrderId.make("ord_new")
const counters = (c: Pick<Coupon, "available" | "reservedCount" | "redeemedCount">) => ({
  available: c.available,
  reservedCount: c.reservedCount,
  redeemedCount: c.redeemedCount,
})

/**
 * A coupon every open checkout holds (issue 13): the checkout's read leaves holds and counters out, and single
 * moves among thousands of holds give the same outcomes, counters and holds as among a few.
 */
export const hotCapacity = <E>(
  layer: Layer.Layer<CouponRepository, E>,
  options: ServerRaceOptions = {},
): void => {
  const races = racesConditionalWrites(options)
  const run = <A, E2>(program: Effect.Effect<A, E2, CouponRepository>) =>
    Effect.runPromise(Effect.provide(program, layer))

  const withCoupon = (coupon: Coupon) =>
    Effect.gen(function* () {
      const coupons = yield* CouponRepository
      yield* coupons.insert(coupon)
      const read = Effect.map(coupons.findById(coupon.id), Option.getOrThrow)
      const terms = Effect.map(coupons.findByCode(coupon.code), Option.getOrThrow)
      return { coupons, read, terms }
    })

  describe(`hot capacity (${HOLDERS} open holds)`, () => {
    it("findByCode leaves out the holds and the counters they moved: findById's coupon without them", () =>
      run(
        Effect.gen(function* () {
          const coupon = aCoupon({ maxRedemptions: 5, available: 5 })
          const { coupons, read, terms } = yield* withCoupon(coupon)
          yield* coupons.hold(coupon.id, "k/0", orderId, minute(1))
          yield* coupons.hold(coupon.id, "k/1", orderId, minute(2))
          yield* coupons.redeemHold(coupon.id, "k/0", minute(3))
          const full = yield* read
          const readTerms = yield* terms
          expect(counters(full)).toEqual({ available: 3, reservedCount: 1, redeemedCount: 1 })
          for (const field of [
            "holds",
            "available",
            "reservedCount",
            "redeemedCount",
            "version",
            "updatedAt",
          ])
            expect(readTerms).not.toHaveProperty(field)
          expect(readTerms).toEqual(termsOf(full))
        }),
      ))

    it("full reads hand out copies of the holds; the caller's `at` stays the caller's", () =>
      run(
        Effect.gen(function* () {
          const coupon = aCoupon({ maxRedemptions: 5, available: 5 })
          const { coupons, read } = yield* withCoupon(coupon)
          const at = minute(1)
          yield* coupons.hold(coupon.id, "k/0", orderId, at)
          at.setTime(0)
          const held = yield* read
          expect(held.holds).toEqual([{ key: "k/0", orderId, quantity: 1, at: minute(1) }])
          held.holds[0]?.at.setTime(0)
          Object.assign(held.holds, { length: 0 })
          expect(yield* read).toEqual({
            ...held,
            holds: [{ key: "k/0", orderId, quantity: 1, at: minute(1) }],
          })
        }),
      ))

    it("holds, redeems and releases single keys among many holders; the rest stay in hold order", () =>
      run(
        Effect.gen(function* () {
          const holds = manyHolds(HOLDERS)
          const coupon = aCoupon({ maxRedemptions: HOLDERS + 1, available: 1, reservedCount: HOLDERS, holds })
          const { coupons, read, terms } = yield* withCoupon(coupon)
          const [first, middle, last] = [holds[0]!, holds[HOLDERS / 2]!, holds[HOLDERS - 1]!]
          const hold = (key: string) => coupons.hold(coupon.id, key, orderId, minute(61))
          expect(yield* hold(middle.key)).toBe("already_held")
          expect(yield* hold("ord_new/0")).toBe("held")
          expect(yield* hold("ord_new/0")).toBe("already_held")
          expect(yield* hold("ord_new/1")).toBe("insufficient")
          expect(yield* coupons.redeemHold(coupon.id, middle.key, minute(62))).toBe("committed")
          expect(yield* coupons.redeemHold(coupon.id, middle.key, minute(62))).toBe("not_held")
          expect(yield* coupons.releaseHold(coupon.id, last.key, minute(63))).toBe("released")
          expect(yield* coupons.releaseHold(coupon.id, last.key, minute(63))).toBe("not_held")
          expect(yield* coupons.redeemHold(coupon.id, "ord_gone/0", minute(63))).toBe("not_held")
          expect(yield* coupons.redeemHold(coupon.id, first.key, minute(64))).toBe("committed")
          const after = yield* read
          expect(counters(after)).toEqual({ available: 1, reservedCount: HOLDERS - 2, redeemedCount: 2 })
          expect(after.holds).toEqual([
            ...holds.filter((h) => h !== first && h !== middle && h !== last),
            { key: "ord_new/0", orderId, quantity: 1, at: minute(61) },
          ])
          expect(after.version).toBe(coupon.version + 4)
          expect(after.updatedAt).toEqual(minute(64))
          expect(yield* terms).toEqual(termsOf(after))
        }),
      ))

    it(
      raceTitle("grants exactly the capacity left among many holders to concurrent new holds", options),
      () =>
        run(
          Effect.gen(function* () {
            const holds = manyHolds(HOLDERS)
            const left = 10
            const over = 10
            const coupon = aCoupon({
              maxRedemptions: HOLDERS + left,
              available: left,
              reservedCount: HOLDERS,
              holds,
            })
            const { coupons, read, terms } = yield* withCoupon(coupon)
            const keys = Array.from({ length: left + over }, (_, i) => `ord_new_${i}/0`)
            const outcomes = yield* Effect.all(
              keys.map((key) => coupons.hold(coupon.id, key, orderId, minute(61))),
              { concurrency: "unbounded" },
            )
            const after = yield* read
            const granted = keys.filter((_, i) => outcomes[i] === "held")
            const added = after.holds.slice(HOLDERS).map((h) => h.key)
            expect(after.holds.slice(0, HOLDERS)).toEqual(holds)
            expect(after.available + after.reservedCount + after.redeemedCount).toBe(HOLDERS + left)
            expect(after.reservedCount).toBe(after.holds.length)
            expect(yield* terms).toEqual(termsOf(after))
            if (races) {
              // Lost updates: only holds that were granted survive, and never more than the capacity left.
              expect(outcomes.every((o) => o === "held" || o === "insufficient")).toBe(true)
              expect(added.every((key) => granted.includes(key))).toBe(true)
              expect(added.length).toBeLessThanOrEqual(left)
              return
            }
            expect(granted).toHaveLength(left)
            expect(outcomes.filter((o) => o === "insufficient")).toHaveLength(over)
            expect(counters(after)).toEqual({ available: 0, reservedCount: HOLDERS + left, redeemedCount: 0 })
            expect([...added].sort()).toEqual([...granted].sort())
          }),
        ),
    )
  })
}
