import { SandboxControl } from "@settle/adapters"
import { handlePaymentEvent, type Order, reconcileOrders } from "@settle/domain"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { ClockControl } from "../../src/fakes/ControlledClock.js"
import { arm, disarm } from "../../src/faults/FaultInjection.js"
import {
  checkout,
  couponOf,
  crashPointOf,
  deliverCrashingAt,
  insertProducts,
  ledgerOf,
  MUG,
  mug,
  orderOf,
  paidAtSandbox,
  pendingCouponOrder,
  productOf,
  run,
  runFaulty,
  sessionOf,
} from "./support.js"

const MINUTE = 60_000
/** Past the default 10-minute horizon, before the 30-minute reservation expires. */
const STALE = 11 * MINUTE
const none = { checked: 0, finalized: 0, expired: 0, review: 0, failed: 0 }

const advance = (ms: number) => Effect.flatMap(ClockControl, (clock) => clock.advance(ms))

/** Three pending orders of one mug each. */
const threeOrders = Effect.gen(function* () {
  yield* insertProducts(mug({ available: 3, reserved: 0, committed: 0 }))
  const orders: Array<Order> = []
  for (let i = 0; i < 3; i++) orders.push(yield* checkout([{ sku: "MUG-1", quantity: 1 }]))
  return orders
})

describe("reconcileOrders", () => {
  it("finalizes a stale pending order whose session was paid but whose event was lost", () =>
    run(
      Effect.gen(function* () {
        const event = yield* paidAtSandbox
        yield* advance(STALE)
        expect(yield* reconcileOrders()).toEqual({ ...none, checked: 1, finalized: 1 })
        const order = yield* orderOf(event.orderId!)
        expect(order).toMatchObject({
          status: "confirmed",
          payment: { paymentIntentId: event.paymentIntentId, amountReceived: event.amount.amount },
        })
        expect(order.webhook.processedAt).not.toBeNull()
        expect(yield* ledgerOf(order.id, "payment")).toHaveLength(1)
        expect((yield* productOf(MUG)).stock).toEqual({ available: 0, reserved: 0, committed: 2 })
        expect(yield* couponOf("SAVE10")).toMatchObject({ reservedCount: 0, redeemedCount: 1 })
        // The lost event arriving late changes nothing more.
        yield* handlePaymentEvent(event)
        expect(yield* ledgerOf(order.id, "payment")).toHaveLength(1)
      }),
    ))

  it("expires a stale pending order whose session expired, releasing its holds", () =>
    run(
      Effect.gen(function* () {
        const order = yield* pendingCouponOrder
        yield* (yield* SandboxControl).expire(yield* sessionOf(order))
        yield* advance(STALE)
        expect(yield* reconcileOrders()).toEqual({ ...none, checked: 1, expired: 1 })
        expect((yield* orderOf(order.id)).status).toBe("expired")
        expect(yield* productOf(MUG)).toMatchObject({
          stock: { available: 2, reserved: 0, committed: 0 },
          holds: [],
        })
        expect(yield* couponOf("SAVE10")).toMatchObject({ available: 10, reservedCount: 0, holds: [] })
      }),
    ))

  it("leaves an order whose session is still open, and orders not yet stale", () =>
    run(
      Effect.gen(function* () {
        const order = yield* pendingCouponOrder
        yield* advance(10 * MINUTE)
        expect(yield* reconcileOrders()).toEqual(none)
        yield* advance(MINUTE)
        expect(yield* reconcileOrders()).toEqual({ ...none, checked: 1 })
        expect(yield* orderOf(order.id)).toEqual(order)
      }),
    ))

  it("finalizes a paid order whose finalization crashed, from what it recorded", async () => {
    const at = await crashPointOf(paidAtSandbox, handlePaymentEvent, "Ledger.append")
    await runFaulty(
      Effect.gen(function* () {
        const event = yield* paidAtSandbox
        yield* deliverCrashingAt(event, at)
        const stuck = yield* orderOf(event.orderId!)
        expect(stuck).toMatchObject({ status: "paid", webhook: { processedAt: null } })
        // Even with the provider down: a paid order needs nothing from it.
        yield* (yield* SandboxControl).setFailing(true)
        yield* advance(STALE)
        expect(yield* reconcileOrders()).toEqual({ ...none, checked: 1, finalized: 1 })
        expect((yield* orderOf(stuck.id)).status).toBe("confirmed")
        expect(yield* ledgerOf(stuck.id, "payment")).toHaveLength(1)
        expect((yield* productOf(MUG)).stock).toEqual({ available: 0, reserved: 0, committed: 2 })
      }),
    )
  })

  it("counts an order the gateway cannot answer for as failed and goes on with the others", () =>
    run(
      Effect.gen(function* () {
        const [first, second, third] = yield* threeOrders
        const control = yield* SandboxControl
        yield* control.pay(yield* sessionOf(first!))
        yield* control.pay(yield* sessionOf(third!))
        yield* advance(STALE)
        yield* control.setFailing(true)
        expect(yield* reconcileOrders()).toEqual({ ...none, checked: 3, failed: 3 })
        expect((yield* orderOf(first!.id)).status).toBe("pending")
        yield* control.setFailing(false)
        expect(yield* reconcileOrders()).toEqual({ ...none, checked: 3, finalized: 2 })
        expect((yield* orderOf(first!.id)).status).toBe("confirmed")
        expect((yield* orderOf(second!.id)).status).toBe("pending")
        expect((yield* orderOf(third!.id)).status).toBe("confirmed")
      }),
    ))

  it("goes on with the other orders when the gateway fails for one", async () => {
    const setup = Effect.gen(function* () {
      const orders = yield* threeOrders
      const control = yield* SandboxControl
      for (const order of orders) yield* control.pay(yield* sessionOf(order))
      yield* advance(STALE)
      return orders
    })
    const at = await crashPointOf(setup, () => reconcileOrders(), "PaymentGateway.retrieveSession")
    await runFaulty(
      Effect.gen(function* () {
        const [first, second, third] = yield* setup
        yield* arm(at)
        expect(yield* reconcileOrders()).toEqual({ ...none, checked: 3, finalized: 2, failed: 1 })
        yield* disarm
        expect((yield* orderOf(first!.id)).status).toBe("pending")
        expect((yield* orderOf(second!.id)).status).toBe("confirmed")
        expect((yield* orderOf(third!.id)).status).toBe("confirmed")
      }),
    )
  })

  it("counts a paid session whose amount does not match as review", () =>
    run(
      Effect.gen(function* () {
        const order = yield* pendingCouponOrder
        yield* (yield* SandboxControl).pay(yield* sessionOf(order), { amount: 1 })
        yield* advance(STALE)
        expect(yield* reconcileOrders()).toEqual({ ...none, checked: 1, review: 1 })
        expect((yield* orderOf(order.id)).status).toBe("payment_review")
      }),
    ))
})
