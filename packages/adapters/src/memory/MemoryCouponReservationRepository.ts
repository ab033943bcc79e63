import { type CouponReservation, CouponReservationRepository, DuplicateKey } from "@settle/domain"
import { Effect, Layer, Option } from "effect"
import { compoundKey, copy, makeCollection, oldestFirst } from "./Collection.js"

// Ids cannot contain "/", so the pair maps to one key without ambiguity.
const keyOf = (couponId: string, orderId: string): string => `${couponId}/${orderId}`

export const make: Effect.Effect<CouponReservationRepository> = Effect.sync(() => {
  const reservations = makeCollection<CouponReservation, "status" | "couponStatus">({
    indexes: {
      status: (r) => r.status,
      couponStatus: (r) => compoundKey(r.couponId, r.status),
    },
  })
  const pastExpiry = (now: Date) => (r: CouponReservation) => r.expiresAt < now

  const service: CouponReservationRepository = {
    insert: (reservation) =>
      Effect.suspend(() => {
        const key = keyOf(reservation.couponId, reservation.orderId)
        if (reservations.peek(key) !== undefined) {
          return Effect.fail(
            new DuplicateKey({ entity: "couponreservations", key: `couponId+orderId=${key}` }),
          )
        }
        reservations.put(key, reservation)
        return Effect.void
      }),

    find: (couponId, orderId) => Effect.sync(() => reservations.find(keyOf(couponId, orderId))),

    transition: (couponId, orderId, from, to, at, expiresAt) =>
      Effect.sync(() => {
        const key = keyOf(couponId, orderId)
        const current = reservations.peek(key)
        if (current === undefined || !from.includes(current.status)) return Option.none()
        const next: CouponReservation = {
          ...current,
          status: to,
          expiresAt: expiresAt ?? current.expiresAt,
          updatedAt: at,
        }
        reservations.put(key, next)
        return Option.some(copy(next))
      }),

    findLeaked: (now, limit) =>
      Effect.sync(() =>
        reservations.select(
          "status",
          ["reserved"],
          pastExpiry(now),
          oldestFirst((r) => r.expiresAt),
          limit,
        ),
      ),

    countLeaked: (now) => Effect.sync(() => reservations.count("status", ["reserved"], pastExpiry(now))),

    listByCoupon: (couponId, status) =>
      Effect.sync(() =>
        reservations.select(
          "couponStatus",
          [compoundKey(couponId, status)],
          undefined,
          oldestFirst((r) => r.createdAt),
        ),
      ),
  }
  return service
})

export const layer: Layer.Layer<CouponReservationRepository> = Layer.effect(CouponReservationRepository, make)
