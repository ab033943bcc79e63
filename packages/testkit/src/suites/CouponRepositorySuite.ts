import { CouponCode, CouponRepository, OrderId } from "@settle/domain"
import { Effect, type Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import { aCoupon, minute, summaryOf, termsOf } from "../fixtures.js"
import { capacity } from "./CouponCapacitySuite.js"
import { hotCapacity } from "./CouponHotCapacitySuite.js"
import { keysetPages } from "./KeysetPages.js"
import type { ServerRaceOptions } from "./ServerRaces.js"

/** The CouponRepository contract; every adapter (memory, Mongo) must pass it unchanged. */
export const suite = <E>(
  name: string,
  layer: Layer.Layer<CouponRepository, E>,
  options: ServerRaceOptions = {},
): void => {
  const run = <A, E2>(program: Effect.Effect<A, E2, CouponRepository>) =>
    Effect.runPromise(Effect.provide(program, layer))

  describe(name, () => {
    keysetPages(
      {
        run,
        insert: (code) =>
          Effect.flatMap(CouponRepository, (coupons) =>
            coupons.insert(aCoupon({ code: CouponCode.make(code) })),
          ),
        touch: (code) =>
          Effect.gen(function* () {
            const coupons = yield* CouponRepository
            const terms = Option.getOrThrow(yield* coupons.findByCode(CouponCode.make(code)))
            const coupon = Option.getOrThrow(yield* coupons.findById(terms.id))
            yield* coupons.update(coupon.id, coupon.version, { active: false }, minute(5))
          }),
        page: (after, limit) =>
          Effect.map(
            Effect.flatMap(CouponRepository, (coupons) =>
              coupons.listPage({ after: after === undefined ? undefined : CouponCode.make(after), limit }),
            ),
            (coupons) => coupons.map((c) => c.code),
          ),
      },
      ["SUMMER", "AUTUMN", "WINTER", "SPRING", "BLACK_FRIDAY", "XMAS", "EASTER"],
    )

    describe("insert and find", () => {
      it("reads a coupon's summary by id and by page: the whole coupon but its holds, versions and counters included", () =>
        run(
          Effect.gen(function* () {
            const coupons = yield* CouponRepository
            const coupon = aCoupon()
            yield* coupons.insert(coupon)
            // Enough holds to span several places where the store splits a coupon (3 a place).
            for (const n of [0, 1, 2, 3, 4, 5, 6]) {
              const orderId = OrderId.make(`ord_summary_${n}`)
              expect(yield* coupons.hold(coupon.id, `${orderId}/c`, orderId, minute(n + 1))).toBe("held")
            }
            expect(yield* coupons.redeemHold(coupon.id, "ord_summary_0/c", minute(9))).toBe("committed")
            const { holds, ...rest } = Option.getOrThrow(yield* coupons.findById(coupon.id))
            expect(holds).toHaveLength(6)
            expect(rest).toMatchObject({ available: 3, reservedCount: 6, redeemedCount: 1 })
            const summary = Option.getOrThrow(yield* coupons.findSummary(coupon.id))
            expect(summary).toEqual(rest)
            expect(summary).not.toHaveProperty("holds")
            const [paged] = yield* coupons.listPage({ limit: 1 })
            expect(paged).toEqual(rest)
            expect(paged).not.toHaveProperty("holds")
            expect(Option.isNone(yield* coupons.findSummary(aCoupon().id))).toBe(true)
          }),
        ))

      it("reads back an equal coupon by id, and its terms without holds and counters by code", () =>
        run(
          Effect.gen(function* () {
            const coupons = yield* CouponRepository
            const coupon = aCoupon({ expiresAt: minute(60) })
            yield* coupons.insert(coupon)
            expect(Option.getOrThrow(yield* coupons.findById(coupon.id))).toEqual(coupon)
            const terms = Option.getOrThrow(yield* coupons.findByCode(coupon.code))
            expect(terms).toEqual(termsOf(coupon))
            expect(terms).not.toHaveProperty("holds")
            expect(terms).not.toHaveProperty("available")
            expect(Option.isNone(yield* coupons.findById(aCoupon().id))).toBe(true)
            expect(Option.isNone(yield* coupons.findByCode(CouponCode.make("NOPE")))).toBe(true)
          }),
        ))

      it("rejects a duplicate id or code as DuplicateKey and keeps the first", () =>
        run(
          Effect.gen(function* () {
            const coupons = yield* CouponRepository
            const first = aCoupon()
            yield* coupons.insert(first)
            const sameId = yield* Effect.flip(coupons.insert(aCoupon({ id: first.id })))
            const sameCode = aCoupon({ code: first.code })
            const sameCodeError = yield* Effect.flip(coupons.insert(sameCode))
            expect(sameId._tag).toBe("DuplicateKey")
            expect(sameCodeError._tag).toBe("DuplicateKey")
            expect(Option.isNone(yield* coupons.findById(sameCode.id))).toBe(true)
            expect(yield* coupons.list()).toEqual([first])
          }),
        ))

      it("list returns every coupon by code", () =>
        run(
          Effect.gen(function* () {
            const coupons = yield* CouponRepository
            const codes = ["SUMMER", "AUTUMN", "WINTER"]
            yield* Effect.forEach(codes, (code) => coupons.insert(aCoupon({ code: CouponCode.make(code) })))
            expect((yield* coupons.list()).map((c) => c.code)).toEqual(["AUTUMN", "SUMMER", "WINTER"])
          }),
        ))

      it("stores and returns copies, never shared objects", () =>
        run(
          Effect.gen(function* () {
            const coupons = yield* CouponRepository
            const coupon = aCoupon()
            const original = structuredClone(coupon)
            yield* coupons.insert(coupon)
            Object.assign(coupon, { available: 0 })
            const read = Option.getOrThrow(yield* coupons.findById(coupon.id))
            Object.assign(read, { available: 999, active: false })
            Object.assign(read.holds, { length: 3 })
            read.createdAt.setTime(0)
            expect(Option.getOrThrow(yield* coupons.findById(coupon.id))).toEqual(original)
          }),
        ))
    })

    describe("update", () => {
      it("changes only the given fields when the version matches", () =>
        run(
          Effect.gen(function* () {
            const coupons = yield* CouponRepository
            const coupon = aCoupon({ version: 2, expiresAt: minute(60) })
            yield* coupons.insert(coupon)
            const next = Option.getOrThrow(yield* coupons.update(coupon.id, 2, { active: false }, minute(5)))
            expect(next).toEqual(summaryOf({ ...coupon, active: false, version: 3, updatedAt: minute(5) }))
            const cleared = Option.getOrThrow(
              yield* coupons.update(coupon.id, 3, { expiresAt: null }, minute(6)),
            )
            expect(cleared.expiresAt).toBeNull()
            expect(cleared.active).toBe(false)
            const stored = Option.getOrThrow(yield* coupons.findById(coupon.id))
            expect(summaryOf(stored)).toEqual(cleared)
            expect(stored.holds).toEqual(coupon.holds)
          }),
        ))

      it("returns None and changes nothing on a stale version or an unknown id", () =>
        run(
          Effect.gen(function* () {
            const coupons = yield* CouponRepository
            const coupon = aCoupon({ version: 2 })
            yield* coupons.insert(coupon)
            expect(Option.isNone(yield* coupons.update(coupon.id, 1, { active: false }, minute(5)))).toBe(
              true,
            )
            expect(Option.isNone(yield* coupons.update(aCoupon().id, 0, { active: false }, minute(5)))).toBe(
              true,
            )
            expect(Option.getOrThrow(yield* coupons.findById(coupon.id))).toEqual(coupon)
          }),
        ))
    })

    capacity(layer, options)
    hotCapacity(layer, options)
  })
}
