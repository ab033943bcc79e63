import { SandboxControl } from "@settle/adapters"
import {
  CheckoutRequest,
  CouponCode,
  CouponId,
  finalizePayment,
  handlePaymentEvent,
  money,
  type Order,
  OrderRepository,
  type PaymentSucceeded,
  ProductId,
  SessionExpired,
  Sku,
  StripeEventId,
} from "@settle/domain"
import { Effect, Layer, type ManagedRuntime, Option, Schema } from "effect"
import { expect } from "vitest"
import { arm, callLog, disarm, type FaultPlan, planLayer, withFaults } from "../../faults/FaultInjection.js"
import { aCoupon, aProduct } from "../../fixtures.js"
import { crashablePorts, type StoragePorts } from "../../world.js"
import { expectFinalizedOnce, readBooks } from "./I1Books.js"
import { type TalliedServices, talliedWorld } from "./I1Tally.js"
import { openCheckout, type Shop, usingRuntime } from "./scenario.js"

/** Two products with spare units and a coupon with spare redemptions: a stray hold would find capacity. */
const roomy: Shop = {
  products: [
    aProduct({ id: ProductId.make("prod_a"), sku: Sku.make("SKU-A"), price: money(700, "EUR") }),
    aProduct({ id: ProductId.make("prod_b"), sku: Sku.make("SKU-B"), price: money(900, "EUR") }),
  ],
  coupon: aCoupon({
    id: CouponId.make("cpn_ROOMY"),
    code: CouponCode.make("ROOMY"),
    maxRedemptions: 3,
    available: 3,
  }),
  cart: Schema.decodeUnknownSync(CheckoutRequest)({
    items: [
      { sku: "SKU-A", quantity: 2 },
      { sku: "SKU-B", quantity: 1 },
    ],
    currency: "EUR",
    email: "grace@example.org",
    couponCode: "ROOMY",
  }),
}

type Faulty<E> = ManagedRuntime.ManagedRuntime<TalliedServices | FaultPlan, E>

/** Checkout, expiry event processed, payment captured: the order as a slow delivery read it (expired). */
const expiredThenPaid = <E>(runtime: Faulty<E>) =>
  runtime.runPromise(
    Effect.gen(function* () {
      const { order, sessionId } = yield* openCheckout(roomy)
      const paid = yield* (yield* SandboxControl).pay(sessionId)
      yield* handlePaymentEvent(
        SessionExpired.make({
          eventId: StripeEventId.make("evt_rival_session_expired"),
          type: "checkout.session.expired",
          sessionId,
          orderId: order.id,
        }),
      )
      const stale = Option.getOrThrow(yield* (yield* OrderRepository).findById(order.id))
      return { stale, paid }
    }),
  )

const finalizeFrom = (stale: Order, paid: PaymentSucceeded) =>
  finalizePayment(
    stale,
    { sessionId: paid.sessionId, paymentIntentId: paid.paymentIntentId, amount: paid.amount },
    paid.eventId,
  )

const faultyWorld = <E>(storage: Layer.Layer<StoragePorts, E>) =>
  Layer.provideMerge(withFaults(talliedWorld(storage), crashablePorts), planLayer())

/**
 * Found by the race property (seed -1414551299, path "18:0:0:1:0:0:1:2:1:1:1:1:1:0:3": four payment
 * deliveries and two expiry events) once the first two bugs were fixed: a delivery that read the order
 * expired revived it late, after another delivery had revived and finalized it; hold keys are forgotten
 * once committed, so its fresh holds under the same epoch were never committed nor released.
 */
export const staleRevivalAfterFinalization = <E>(storage: Layer.Layer<StoragePorts, E>) =>
  usingRuntime(faultyWorld(storage), async (runtime) => {
    const { stale, paid } = await expiredThenPaid(runtime)
    await runtime.runPromise(handlePaymentEvent(paid))
    await runtime.runPromise(finalizeFrom(stale, paid))
    expectFinalizedOnce(roomy, await runtime.runPromise(readBooks(roomy, stale.id)))
  })

/**
 * The same stale revival, after the winning delivery crashed between committing the first product and
 * the second: the stale revival holds the first product again and its completion commits it twice.
 */
export const staleRevivalAfterPartialCommit = async <E>(storage: Layer.Layer<StoragePorts, E>) => {
  const log = await usingRuntime(faultyWorld(storage), async (runtime) => {
    const { paid } = await expiredThenPaid(runtime)
    return runtime.runPromise(Effect.zipRight(arm(null), Effect.zipRight(handlePaymentEvent(paid), callLog)))
  })
  // Crash at the second product's commit: the first one is committed, the order is paid, not confirmed.
  const secondCommit = log.indexOf("ProductCatalog.commitHold") + 2
  expect(log[secondCommit - 1]).toBe("ProductCatalog.commitHold")
  await usingRuntime(faultyWorld(storage), async (runtime) => {
    const { stale, paid } = await expiredThenPaid(runtime)
    const crashed = await runtime.runPromise(
      Effect.gen(function* () {
        yield* arm(secondCommit)
        const outcome = yield* Effect.either(handlePaymentEvent(paid))
        yield* disarm
        return outcome
      }),
    )
    expect(crashed._tag).toBe("Left")
    await runtime.runPromise(finalizeFrom(stale, paid))
    expectFinalizedOnce(roomy, await runtime.runPromise(readBooks(roomy, stale.id)))
  })
}
