import { SandboxControl } from "@settle/adapters"
import {
  Clock,
  CouponReservationRepository,
  expireReservations,
  handlePaymentEvent,
  OrderId,
  DEFAULT_RESERVATION_TTL_MS as TTL,
} from "@settle/domain"
import { Effect, Option } from "effect"
import { describe, expect, it } from "vitest"
import { ClockControl } from "../../src/fakes/ControlledClock.js"
import {
  couponOf,
  crashPointOf,
  deliverCrashingAt,
  MUG,
  orderOf,
  PLATE,
  paidAtSandbox,
  pendingCouponOrder,
  productOf,
  run,
  runFaulty,
  sessionOf,
} from "./support.js"

const ORDER = OrderId.make("ord_000001")
const MINUTE = 60_000
const none = { ordersExpired: 0, reservationsExpired: 0, reservationsRedeemed: 0 }

const advance = (ms: number) => Effect.flatMap(ClockControl, (clock) => clock.advance(ms))

const reservationOf = (code: string) =>
  Effect.gen(function* () {
    const coupon = yield* couponOf(code)
    return Option.getOrThrow(yield* (yield* CouponReservationRepository).find(coupon.id, ORDER))
  })

/** I4: after the job at `now`, no reservation is `reserved` with expiresAt before `now`. */
const leakedNow = Effect.gen(function* () {
  const now = yield* (yield* Clock).now
  return yield* (yield* CouponReservationRepository).countLeaked(now)
})

const failedAtSandbox = Effect.gen(function* () {
  const order = yield* pendingCouponOrder
  return yield* (yield* SandboxControl).failAsync(yield* sessionOf(order))
})

describe("expireReservations", () => {
  it("expires pending orders past their reservation and gives back stock and coupon", () =>
    run(
      Effect.gen(function* () {
        yield* pendingCouponOrder
        yield* advance(TTL + MINUTE)
        expect(yield* expireReservations()).toEqual({ ...none, ordersExpired: 1 })
        expect((yield* orderOf(ORDER)).status).toBe("expired")
        expect(yield* productOf(MUG)).toMatchObject({
          stock: { available: 2, reserved: 0, committed: 0 },
          holds: [],
        })
        expect((yield* productOf(PLATE)).stock).toEqual({ available: 6, reserved: 0, committed: 0 })
        expect(yield* couponOf("SAVE10")).toMatchObject({ available: 10, reservedCount: 0, holds: [] })
        expect((yield* reservationOf("SAVE10")).status).toBe("expired")
        expect(yield* leakedNow).toBe(0)
        expect(yield* expireReservations()).toEqual(none)
      }),
    ))

  it("leaves orders and reservations that are not yet due", () =>
    run(
      Effect.gen(function* () {
        yield* pendingCouponOrder
        yield* advance(TTL - MINUTE)
        expect(yield* expireReservations()).toEqual(none)
        expect((yield* orderOf(ORDER)).status).toBe("pending")
        expect((yield* productOf(MUG)).stock).toEqual({ available: 0, reserved: 2, committed: 0 })
        expect((yield* reservationOf("SAVE10")).status).toBe("reserved")
        expect(yield* couponOf("SAVE10")).toMatchObject({ available: 9, reservedCount: 1 })
      }),
    ))

  it("expires the reservation at its own expiry, not a minute later", () =>
    run(
      Effect.gen(function* () {
        yield* pendingCouponOrder
        yield* advance(TTL)
        // A reservation lives up to its expiresAt inclusive; it is due strictly after.
        expect(yield* expireReservations()).toEqual(none)
        yield* advance(1)
        expect(yield* expireReservations()).toEqual({ ...none, ordersExpired: 1 })
      }),
    ))

  it("finishes the redemption of a leaked reservation whose order was paid", async () => {
    const at = await crashPointOf(paidAtSandbox, handlePaymentEvent, "CouponReservationRepository.transition")
    await runFaulty(
      Effect.gen(function* () {
        const event = yield* paidAtSandbox
        yield* deliverCrashingAt(event, at)
        // The crash hit the reservation record's redemption: the order is left paid, the record reserved.
        expect((yield* orderOf(ORDER)).status).toBe("paid")
        expect((yield* reservationOf("SAVE10")).status).toBe("reserved")
        yield* advance(TTL + MINUTE)
        expect(yield* expireReservations()).toEqual({ ...none, reservationsRedeemed: 1 })
        expect((yield* reservationOf("SAVE10")).status).toBe("redeemed")
        expect(yield* couponOf("SAVE10")).toMatchObject({
          available: 9,
          reservedCount: 0,
          redeemedCount: 1,
          holds: [],
        })
        expect((yield* orderOf(ORDER)).status).toBe("paid")
        expect(yield* leakedNow).toBe(0)
      }),
    )
  })

  it("returns the coupon unit of a leaked reservation whose order was cancelled mid-release", async () => {
    const at = await crashPointOf(failedAtSandbox, handlePaymentEvent, "CouponRepository.releaseHold")
    await runFaulty(
      Effect.gen(function* () {
        const event = yield* failedAtSandbox
        yield* deliverCrashingAt(event, at)
        expect((yield* orderOf(ORDER)).status).toBe("cancelled")
        expect(yield* couponOf("SAVE10")).toMatchObject({ available: 9, reservedCount: 1 })
        yield* advance(TTL + MINUTE)
        expect(yield* expireReservations()).toEqual({ ...none, reservationsExpired: 1 })
        expect((yield* reservationOf("SAVE10")).status).toBe("expired")
        expect(yield* couponOf("SAVE10")).toMatchObject({ available: 10, reservedCount: 0, holds: [] })
        expect(yield* leakedNow).toBe(0)
      }),
    )
  })
})
