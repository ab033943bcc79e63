import { SandboxControl } from "@settle/adapters"
import {
  Clock,
  CouponRepository,
  CouponReservationRepository,
  expireReservations,
  handlePaymentEvent,
  OrderRepository,
  type PaymentEvent,
  ProductCatalog,
} from "@settle/domain"
import { Duration, Effect } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ClockControl } from "../../src/fakes/ControlledClock.js"
import {
  couponOf,
  crashPointOf,
  deliverCrashingAt,
  ledgerOf,
  MUG,
  orderOf,
  PLATE,
  pendingCouponOrder,
  runFaulty,
  runInterleaved,
  sessionOf,
  stockOf,
} from "./support.js"

/** The coupon order expired and gave everything back; then its payment arrives (Stripe's event). */
const latePayment = Effect.gen(function* () {
  const order = yield* pendingCouponOrder
  const event = yield* (yield* SandboxControl).pay(yield* sessionOf(order))
  const now = yield* (yield* Clock).now
  yield* (yield* ClockControl).advance(order.expiresAt.getTime() - now.getTime() + 60_000)
  yield* expireReservations()
  return { orderId: order.id, event }
})

/** `count` deliveries of one event at once; each retried once (Stripe's retry after a 503) if it fails. */
const deliverConcurrently = (event: PaymentEvent, count: number) =>
  Effect.forEach(
    Array.from({ length: count }, () => event),
    (delivery) =>
      Effect.either(handlePaymentEvent(delivery)).pipe(
        Effect.flatMap((first) =>
          first._tag === "Right"
            ? Effect.succeed({ retried: false, outcome: first.right._tag })
            : Effect.map(handlePaymentEvent(delivery), (again) => ({ retried: true, outcome: again._tag })),
        ),
      ),
    { concurrency: "unbounded" },
  )

/** The ports a revival calls, each call answering `ms` later: a store slowed down by a delivery storm. */
const slowStore = (ms: number) => {
  const slow = <S extends object>(service: S): S =>
    Object.fromEntries(
      Object.entries(service).map(([name, method]) => [
        name,
        typeof method === "function"
          ? (...args: ReadonlyArray<unknown>) => Effect.delay(method(...args), Duration.millis(ms))
          : method,
      ]),
    ) as S
  return <A, E, R>(program: Effect.Effect<A, E, R>) =>
    program.pipe(
      Effect.provideServiceEffect(OrderRepository, Effect.map(OrderRepository, slow)),
      Effect.provideServiceEffect(ProductCatalog, Effect.map(ProductCatalog, slow)),
      Effect.provideServiceEffect(CouponRepository, Effect.map(CouponRepository, slow)),
      Effect.provideServiceEffect(CouponReservationRepository, Effect.map(CouponReservationRepository, slow)),
    )
}

/** 2 to 4 deliveries of the late payment at once, each store call `delayMs` slow: they all converge. */
const convergence = (delayMs: number, numRuns: number) =>
  fc.assert(
    fc.asyncProperty(fc.scheduler(), fc.integer({ min: 2, max: 4 }), async (s, count) => {
      const { deliveries, books } = await runInterleaved(
        s,
        Effect.gen(function* () {
          const { orderId, event } = yield* latePayment
          const deliveries = yield* slowStore(delayMs)(deliverConcurrently(event, count))
          const order = yield* orderOf(orderId)
          return {
            deliveries,
            books: {
              status: order.status,
              epochs: order.holdEpoch,
              payments: (yield* ledgerOf(orderId, "payment")).length,
              mug: yield* stockOf(MUG),
              plate: yield* stockOf(PLATE),
              coupon: yield* couponOf("SAVE10"),
            },
          }
        }),
      )
      expect(deliveries.every(({ outcome }) => outcome === "Processed" || outcome === "Duplicate")).toBe(true)
      expect(deliveries.filter(({ retried }) => retried)).toEqual([])
      // One revival epoch: the deliveries that came second joined the first one's, none superseded it.
      expect(books.epochs).toBe(1)
      expect(books.status).toBe("confirmed")
      expect(books.payments).toBe(1)
      expect(books.mug).toEqual({ available: 0, reserved: 0, committed: 2 })
      expect(books.plate).toEqual({ available: 5, reserved: 0, committed: 1 })
      expect(books.coupon).toMatchObject({ reservedCount: 0, redeemedCount: 1, holds: [] })
    }),
    { numRuns },
  )

describe("concurrent deliveries of a late payment", () => {
  it("converge in one revival: every delivery succeeds without a retry, the order is confirmed once", () =>
    convergence(0, 40))

  it("converge in one revival when every store call is slow: the wait grows with the store's pace", () =>
    convergence(40, 5))
})

describe("a revival that crashed half-way", () => {
  it("is taken over by the next delivery once it has waited for it", async () => {
    const crashAt = await crashPointOf(
      latePayment,
      ({ event }) => handlePaymentEvent(event),
      "CouponRepository.hold",
    )
    const { first, again, order, mug } = await runFaulty(
      Effect.gen(function* () {
        const { orderId, event } = yield* latePayment
        const first = yield* deliverCrashingAt(event, crashAt)
        const again = yield* handlePaymentEvent(event)
        return { first, again, order: yield* orderOf(orderId), mug: yield* stockOf(MUG) }
      }),
    )
    expect(first._tag).toBe("StoreError")
    expect(again._tag).toBe("Processed")
    expect([order.status, order.holdEpoch]).toEqual(["confirmed", 2])
    expect(mug).toEqual({ available: 0, reserved: 0, committed: 2 })
  })
})
