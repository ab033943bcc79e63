import { CouponId, type CouponReservation, CouponReservationRepository } from "@settle/domain"
import { Effect, type Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import { anOrder, aReservation, minute } from "../fixtures.js"
import { racesConditionalWrites, raceTitle, type ServerRaceOptions } from "./ServerRaces.js"

const orderIds = (rs: ReadonlyArray<CouponReservation>): ReadonlyArray<string> => rs.map((r) => r.orderId)

/** The CouponReservationRepository contract; every adapter (memory, Mongo) must pass it unchanged. */
export const suite = <E>(
  name: string,
  layer: Layer.Layer<CouponReservationRepository, E>,
  options: ServerRaceOptions = {},
): void => {
  const run = <A, E2>(program: Effect.Effect<A, E2, CouponReservationRepository>) =>
    Effect.runPromise(Effect.provide(program, layer))

  const seeded = (...seed: ReadonlyArray<CouponReservation>) =>
    Effect.gen(function* () {
      const reservations = yield* CouponReservationRepository
      yield* Effect.forEach(seed, (r) => reservations.insert(r), { discard: true })
      return reservations
    })

  describe(name, () => {
    it("reads back an equal reservation by (couponId, orderId)", () => {
      const reservation = aReservation()
      return run(
        Effect.gen(function* () {
          const reservations = yield* seeded(reservation)
          const found = yield* reservations.find(reservation.couponId, reservation.orderId)
          expect(Option.getOrThrow(found)).toEqual(reservation)
          expect(Option.isNone(yield* reservations.find(reservation.couponId, anOrder().id))).toBe(true)
        }),
      )
    })

    it("rejects a second reservation of the same pair as DuplicateKey; other pairs are fine", () => {
      const first = aReservation()
      return run(
        Effect.gen(function* () {
          const reservations = yield* seeded(first)
          const same = aReservation({ couponId: first.couponId, orderId: first.orderId, status: "released" })
          expect((yield* Effect.flip(reservations.insert(same)))._tag).toBe("DuplicateKey")
          yield* reservations.insert(aReservation({ couponId: first.couponId }))
          yield* reservations.insert(aReservation({ orderId: first.orderId }))
          expect(Option.getOrThrow(yield* reservations.find(first.couponId, first.orderId))).toEqual(first)
        }),
      )
    })

    it("stores and returns copies, never shared objects", () => {
      const reservation = aReservation()
      const original = structuredClone(reservation)
      return run(
        Effect.gen(function* () {
          const reservations = yield* seeded(reservation)
          reservation.expiresAt.setTime(0)
          const read = Option.getOrThrow(yield* reservations.find(original.couponId, original.orderId))
          Object.assign(read, { status: "expired" })
          read.createdAt.setTime(0)
          expect(Option.getOrThrow(yield* reservations.find(original.couponId, original.orderId))).toEqual(
            original,
          )
        }),
      )
    })

    it("transition sets the status and updatedAt when the status is one of `from`", () => {
      const reservation = aReservation()
      return run(
        Effect.gen(function* () {
          const reservations = yield* seeded(reservation)
          const { couponId, orderId } = reservation
          const next = yield* reservations.transition(couponId, orderId, ["reserved"], "redeemed", minute(5))
          expect(Option.getOrThrow(next)).toEqual({
            ...reservation,
            status: "redeemed",
            updatedAt: minute(5),
          })
          expect(Option.getOrThrow(yield* reservations.find(couponId, orderId))).toEqual(
            Option.getOrThrow(next),
          )
        }),
      )
    })

    it("transition can move expiresAt in the same write", () => {
      const reservation = aReservation({ status: "expired" })
      return run(
        Effect.gen(function* () {
          const reservations = yield* seeded(reservation)
          const { couponId, orderId } = reservation
          const next = yield* reservations.transition(
            couponId,
            orderId,
            ["expired"],
            "reserved",
            minute(5),
            minute(90),
          )
          expect(Option.getOrThrow(next)).toEqual({
            ...reservation,
            status: "reserved",
            expiresAt: minute(90),
            updatedAt: minute(5),
          })
        }),
      )
    })

    it("transition returns None and changes nothing when the status is not in `from` or the pair is unknown", () => {
      const reservation = aReservation({ status: "redeemed" })
      return run(
        Effect.gen(function* () {
          const reservations = yield* seeded(reservation)
          const { couponId, orderId } = reservation
          const result = yield* reservations.transition(couponId, orderId, ["reserved"], "expired", minute(5))
          expect(Option.isNone(result)).toBe(true)
          const unknown = yield* reservations.transition(
            couponId,
            anOrder().id,
            ["reserved"],
            "expired",
            minute(5),
          )
          expect(Option.isNone(unknown)).toBe(true)
          expect(Option.getOrThrow(yield* reservations.find(couponId, orderId))).toEqual(reservation)
        }),
      )
    })

    it(raceTitle("lets exactly one of concurrent redeem and expire transitions win", options), () => {
      const reservation = aReservation()
      return run(
        Effect.gen(function* () {
          const reservations = yield* seeded(reservation)
          const { couponId, orderId } = reservation
          const results = yield* Effect.all(
            Array.from({ length: 40 }, (_, i) =>
              reservations.transition(
                couponId,
                orderId,
                ["reserved"],
                i % 2 ? "redeemed" : "expired",
                minute(5),
              ),
            ),
            { concurrency: "unbounded" },
          )
          const winners = results.filter(Option.isSome).map((r) => r.value)
          // A racing server lets several transitions from `reserved` through; the last one's write stays.
          if (racesConditionalWrites(options)) expect(winners.length).toBeGreaterThanOrEqual(1)
          else expect(winners).toHaveLength(1)
          const stored = Option.getOrThrow(yield* reservations.find(couponId, orderId))
          expect(winners.map((w) => w.status)).toContain(stored.status)
        }),
      )
    })

    it("findLeaked and countLeaked: reserved with expiresAt strictly before now, oldest first", () => {
      const late = aReservation({ expiresAt: minute(20) })
      const early = aReservation({ expiresAt: minute(10) })
      const atNow = aReservation({ expiresAt: minute(30) })
      const redeemed = aReservation({ status: "redeemed", expiresAt: minute(5) })
      const expired = aReservation({ status: "expired", expiresAt: minute(5) })
      return run(
        Effect.gen(function* () {
          const reservations = yield* seeded(late, early, atNow, redeemed, expired)
          expect(orderIds(yield* reservations.findLeaked(minute(30), 10))).toEqual([
            early.orderId,
            late.orderId,
          ])
          expect(orderIds(yield* reservations.findLeaked(minute(30), 1))).toEqual([early.orderId])
          expect(yield* reservations.countLeaked(minute(30))).toBe(2)
          expect(yield* reservations.countLeaked(minute(0))).toBe(0)
          yield* reservations.transition(early.couponId, early.orderId, ["reserved"], "expired", minute(31))
          expect(yield* reservations.countLeaked(minute(30))).toBe(1)
        }),
      )
    })

    it("listByCoupon returns one coupon's reservations of one status", () => {
      const couponId = CouponId.make("cpn_listed")
      const a = aReservation({ couponId, createdAt: minute(1) })
      const b = aReservation({ couponId, createdAt: minute(2) })
      const redeemed = aReservation({ couponId, status: "redeemed" })
      const other = aReservation()
      return run(
        Effect.gen(function* () {
          const reservations = yield* seeded(b, a, redeemed, other)
          const reserved = yield* reservations.listByCoupon(couponId, "reserved")
          expect([...orderIds(reserved)].sort()).toEqual([a.orderId, b.orderId].sort())
          expect(orderIds(yield* reservations.listByCoupon(couponId, "redeemed"))).toEqual([redeemed.orderId])
          expect(yield* reservations.listByCoupon(couponId, "released")).toEqual([])
        }),
      )
    })
  })
}
