import { SandboxControl } from "@settle/adapters"
import {
  CouponCode,
  CouponRepository,
  CouponReservationRepository,
  handlePaymentEvent,
  OrderId,
  ProductCatalog,
  repairReservations,
} from "@settle/domain"
import { Effect, Option } from "effect"
import { describe, expect, it } from "vitest"
import { ClockControl } from "../../src/fakes/ControlledClock.js"
import { aCoupon, aReservation } from "../../src/fixtures.js"
import {
  checkout,
  couponOf,
  crashPointOf,
  deliverCrashingAt,
  MUG,
  orderOf,
  PLATE,
  pay,
  pendingCouponOrder,
  productOf,
  run,
  runFaulty,
  sessionOf,
  T0,
} from "./support.js"

const ORDER = OrderId.make("ord_000001")
const GHOST = OrderId.make("ord_ghost")
const MINUTE = 60_000
const GRACE = 10 * MINUTE

const advance = (ms: number) => Effect.flatMap(ClockControl, (clock) => clock.advance(ms))

const reservationStatus = (code: string, orderId: OrderId) =>
  Effect.gen(function* () {
    const coupon = yield* couponOf(code)
    const found = yield* (yield* CouponReservationRepository).find(coupon.id, orderId)
    return Option.getOrThrow(found).status
  })

/** The pending coupon order's delayed payment failed at the sandbox; the event is not delivered. */
const failedAtSandbox = Effect.gen(function* () {
  const order = yield* pendingCouponOrder
  return yield* (yield* SandboxControl).failAsync(yield* sessionOf(order))
})

describe("repairReservations", () => {
  it("releases the holds a crash left behind, but only after the grace period", async () => {
    // The crash hits the first release after pending → cancelled: every hold stays behind.
    const at = await crashPointOf(failedAtSandbox, handlePaymentEvent, "ProductCatalog.releaseHold")
    await runFaulty(
      Effect.gen(function* () {
        const event = yield* failedAtSandbox
        yield* deliverCrashingAt(event, at)
        expect((yield* orderOf(ORDER)).status).toBe("cancelled")
        expect((yield* productOf(MUG)).holds).toHaveLength(1)

        yield* advance(GRACE - 1)
        const early = yield* repairReservations()
        expect(early.holdsReleased).toBe(0)
        expect((yield* productOf(MUG)).stock).toEqual({ available: 0, reserved: 2, committed: 0 })
        expect(yield* couponOf("SAVE10")).toMatchObject({ available: 9, reservedCount: 1 })

        yield* advance(1)
        expect((yield* repairReservations()).holdsReleased).toBe(3)
        expect(yield* productOf(MUG)).toMatchObject({
          stock: { available: 2, reserved: 0, committed: 0 },
          holds: [],
        })
        expect((yield* productOf(PLATE)).stock).toEqual({ available: 6, reserved: 0, committed: 0 })
        expect(yield* couponOf("SAVE10")).toMatchObject({ available: 10, reservedCount: 0, holds: [] })
        expect(yield* reservationStatus("SAVE10", ORDER)).toBe("expired")
        expect((yield* repairReservations()).holdsReleased).toBe(0)
      }),
    )
  })

  it("keeps the holds of a pending order, however old", () =>
    run(
      Effect.gen(function* () {
        yield* pendingCouponOrder
        yield* advance(2 * GRACE)
        expect(yield* repairReservations()).toEqual({
          holdsReleased: 0,
          reservationsSettled: 0,
          drift: [],
          recordDrift: [],
        })
        expect((yield* productOf(MUG)).stock).toEqual({ available: 0, reserved: 2, committed: 0 })
        expect((yield* couponOf("SAVE10")).holds).toHaveLength(1)
        expect(yield* reservationStatus("SAVE10", ORDER)).toBe("reserved")
      }),
    ))

  it("releases a hold whose order does not exist once the grace period is over", () =>
    run(
      Effect.gen(function* () {
        yield* pendingCouponOrder
        const catalog = yield* ProductCatalog
        yield* catalog.addStock(PLATE, 1, T0)
        expect(yield* catalog.hold(PLATE, `${GHOST}/0`, GHOST, 1, T0)).toBe("held")
        yield* advance(GRACE)
        expect((yield* repairReservations()).holdsReleased).toBe(1)
        expect(yield* productOf(PLATE)).toMatchObject({
          stock: { available: 6, reserved: 1, committed: 0 },
          holds: [{ orderId: ORDER }],
        })
      }),
    ))

  it("rewrites coupon counters that drifted from their holds and reports the drift", () =>
    run(
      Effect.gen(function* () {
        yield* pendingCouponOrder
        // A direct store write: counters that no hold accounts for.
        const drifted = aCoupon({
          code: CouponCode.make("DRIFT"),
          maxRedemptions: 10,
          available: 5,
          reservedCount: 3,
          redeemedCount: 2,
        })
        yield* (yield* CouponRepository).insert(drifted)
        const report = yield* repairReservations()
        expect(report.drift).toEqual([
          {
            couponId: drifted.id,
            code: "DRIFT",
            before: { available: 5, reservedCount: 3 },
            after: { available: 8, reservedCount: 0 },
          },
        ])
        expect(yield* couponOf("DRIFT")).toMatchObject({ available: 8, reservedCount: 0, redeemedCount: 2 })
        expect(yield* couponOf("SAVE10")).toMatchObject({ available: 9, reservedCount: 1 })
        expect((yield* repairReservations()).drift).toEqual([])
      }),
    ))

  it("settles reservation records whose order has moved on", () =>
    run(
      Effect.gen(function* () {
        const first = yield* pendingCouponOrder
        const coupon = yield* couponOf("SAVE10")
        const reservations = yield* CouponReservationRepository
        yield* pay(first)
        // Direct store writes: the paid order's record knocked back to reserved, and a record for no order.
        yield* reservations.transition(coupon.id, first.id, ["redeemed"], "reserved", T0)
        yield* reservations.insert(aReservation({ couponId: coupon.id, orderId: GHOST }))
        const pending = yield* checkout([{ sku: "PLATE-1", quantity: 1 }], { couponCode: "SAVE10" })

        expect((yield* repairReservations()).reservationsSettled).toBe(2)
        expect(yield* reservationStatus("SAVE10", first.id)).toBe("redeemed")
        expect(yield* reservationStatus("SAVE10", GHOST)).toBe("expired")
        expect(yield* reservationStatus("SAVE10", pending.id)).toBe("reserved")
        expect(yield* couponOf("SAVE10")).toMatchObject({ available: 8, reservedCount: 1, redeemedCount: 1 })
      }),
    ))

  it("reports counters that disagree with the reservation records, order by order, and edits no record", () =>
    run(
      Effect.gen(function* () {
        const held = yield* pendingCouponOrder
        const recorded = yield* checkout([{ sku: "PLATE-1", quantity: 1 }], { couponCode: "SAVE10" })
        const coupon = yield* couponOf("SAVE10")
        // Direct store writes: one order's record released under its hold, the other's hold released.
        const reservations = yield* CouponReservationRepository
        yield* reservations.transition(coupon.id, held.id, ["reserved"], "released", T0)
        yield* (yield* CouponRepository).releaseHold(coupon.id, `${recorded.id}/0`, T0)

        // Within the grace both may be a checkout between its two writes: nothing is named yet.
        expect((yield* repairReservations()).recordDrift).toEqual([])
        yield* advance(GRACE)
        const report = yield* repairReservations()
        expect(report.recordDrift).toEqual([
          {
            couponId: coupon.id,
            code: "SAVE10",
            reservedCount: 1,
            reservedRecords: 1,
            heldWithoutRecord: [held.id],
            recordedWithoutHold: [recorded.id],
          },
        ])
        expect(yield* reservationStatus("SAVE10", held.id)).toBe("released")
        expect(yield* reservationStatus("SAVE10", recorded.id)).toBe("reserved")
        expect(yield* couponOf("SAVE10")).toMatchObject({ reservedCount: 1, holds: [{ orderId: held.id }] })
        expect((yield* repairReservations()).recordDrift).toEqual(report.recordDrift)
      }),
    ))
})
