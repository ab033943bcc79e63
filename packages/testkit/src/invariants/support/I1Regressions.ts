import { SandboxControl } from "@settle/adapters"
import {
  CheckoutRequest,
  Clock,
  CouponCode,
  CouponId,
  finalizePayment,
  handlePaymentEvent,
  money,
  OrderRepository,
  ProductId,
  releaseHolds,
  SessionExpired,
  Sku,
  StripeEventId,
} from "@settle/domain"
import { Effect, type Layer, Option, Schema } from "effect"
import { expect } from "vitest"
import { aCoupon, aProduct } from "../../fixtures.js"
import type { StoragePorts } from "../../world.js"
import { expectFinalizedOnce, expectSettledForGood, readBooks } from "./I1Books.js"
import { talliedWorld } from "./I1Tally.js"
import { openCheckout, type Shop, usingRuntime } from "./scenario.js"

/** The counterexample's shop (one unit of one product), plus a coupon to show what happened to it too. */
const lastUnit: Shop = {
  products: [
    aProduct({
      id: ProductId.make("prod_1"),
      sku: Sku.make("SKU-1"),
      price: money(100, "EUR"),
      stock: { available: 1, reserved: 0, committed: 0 },
    }),
  ],
  coupon: aCoupon({
    id: CouponId.make("cpn_RACE"),
    code: CouponCode.make("RACE"),
    maxRedemptions: 1,
    available: 1,
  }),
  cart: Schema.decodeUnknownSync(CheckoutRequest)({
    items: [{ sku: "SKU-1", quantity: 1 }],
    currency: "EUR",
    email: "ada@example.com",
    couponCode: "RACE",
  }),
}

/**
 * Found by "I1 duplicate, reordered and concurrent deliveries finalize once" (fast-check seed 390324056,
 * path "3:0:0:0:0"; one payment delivery racing one checkout.session.expired). The payment's delivery
 * read the order while it was pending; the expiry event then expired it and released its stock and coupon;
 * the payment's pending → paid write, which also accepted `expired`, then confirmed the order without
 * holding anything again: confirmed with nothing committed, the unit back on sale, the coupon unredeemed.
 * Replayed here without a scheduler: finalizePayment is handed the order as that delivery read it.
 */
export const paymentReadPendingThenExpired = <E>(storage: Layer.Layer<StoragePorts, E>) =>
  usingRuntime(talliedWorld(storage), async (runtime) => {
    const { order, sessionId } = await runtime.runPromise(openCheckout(lastUnit))
    const paid = await runtime.runPromise(Effect.flatMap(SandboxControl, (sandbox) => sandbox.pay(sessionId)))
    const expiry = SessionExpired.make({
      eventId: StripeEventId.make("evt_rival_session_expired"),
      type: "checkout.session.expired",
      sessionId,
      orderId: order.id,
    })
    expect((await runtime.runPromise(handlePaymentEvent(expiry)))._tag).toBe("Processed")
    const expired = await runtime.runPromise(readBooks(lastUnit, order.id))
    expect(expired.order.status, "after the expiry event").toBe("expired")
    expect(expired.products[0]?.stock).toEqual({ available: 1, reserved: 0, committed: 0 })
    const outcome = await runtime.runPromise(
      finalizePayment(
        order,
        { sessionId, paymentIntentId: paid.paymentIntentId, amount: paid.amount },
        paid.eventId,
      ),
    )
    expect(outcome._tag).toBe("Finalized")
    expectFinalizedOnce(lastUnit, await runtime.runPromise(readBooks(lastUnit, order.id)))
    await expectSettledForGood(runtime, lastUnit, order.id, paid)
  })

/**
 * Found by the same property (seed 895602565, path "23:0:0:0:0:0:0:0"; payments racing two expiry
 * events) once the first bug was fixed: the expiry had moved the order to expired but was still giving
 * its stock and coupon back when the payment's revival tried to hold them again; the order's own old
 * holds made the capacity look gone, and a paid order went to payment_review. Replayed by stopping the
 * expiry after its status write, as releaseOrder's first step leaves it.
 */
export const revivalWhileExpiryReleases = <E>(storage: Layer.Layer<StoragePorts, E>) =>
  usingRuntime(talliedWorld(storage), async (runtime) => {
    const { order, sessionId } = await runtime.runPromise(openCheckout(lastUnit))
    const { paid, expiring } = await runtime.runPromise(
      Effect.gen(function* () {
        const paid = yield* (yield* SandboxControl).pay(sessionId)
        const now = yield* (yield* Clock).now
        const moved = yield* (yield* OrderRepository).transition(
          order.id,
          ["pending"],
          { status: "expired" },
          now,
        )
        return { paid, expiring: Option.getOrThrow(moved) }
      }),
    )
    expect((await runtime.runPromise(handlePaymentEvent(paid)))._tag).toBe("Processed")
    // The expiry resumes and releases the epoch it expired: nothing of it is left to give back.
    await runtime.runPromise(
      Effect.flatMap(Clock, (clock) =>
        Effect.flatMap(clock.now, (now) => releaseHolds(expiring, order.holdEpoch, now, "expired")),
      ),
    )
    expectFinalizedOnce(lastUnit, await runtime.runPromise(readBooks(lastUnit, order.id)))
    await expectSettledForGood(runtime, lastUnit, order.id, paid)
  })
