import { SandboxControl } from "@settle/adapters"
import {
  handlePaymentEvent,
  type OrderId,
  type PaymentEvent,
  PaymentFailed,
  type PaymentSucceeded,
  SessionExpired,
  StripeEventId,
  Unrecognized,
} from "@settle/domain"
import { Effect, Either, type Layer } from "effect"
import * as fc from "fast-check"
import { expect } from "vitest"
import type { StoragePorts } from "../../world.js"
import { expectFinalizedOnce, expectProcessed, expectSettledForGood, readBooks } from "./I1Books.js"
import { talliedWorld } from "./I1Tally.js"
import { openCheckout, racingWorld, type Shop, usingRuntime } from "./scenario.js"

/** An event about the same session that Stripe may deliver before, after or during the payment's. */
export type Rival = "session_expired" | "payment_failed" | "unrecognized"

/** The payment event delivered `copies` times, and maybe a rival event `rivalCopies` times, all at once. */
export interface Race {
  readonly copies: number
  readonly rival: Rival | null
  readonly rivalCopies: number
}

export const race: fc.Arbitrary<Race> = fc.record({
  copies: fc.integer({ min: 1, max: 4 }),
  rival: fc.option(fc.constantFrom<Rival>("session_expired", "payment_failed", "unrecognized"), {
    nil: null,
  }),
  rivalCopies: fc.integer({ min: 1, max: 2 }),
})

/** A rival event; its payload is what Stripe would send, whatever the sandbox session now says. */
const rivalEvent = (rival: Rival, paid: PaymentSucceeded, orderId: OrderId): PaymentEvent => {
  const eventId = StripeEventId.make(`evt_rival_${rival}`)
  switch (rival) {
    case "session_expired":
      return SessionExpired.make({
        eventId,
        type: "checkout.session.expired",
        sessionId: paid.sessionId,
        orderId,
      })
    case "payment_failed":
      // A first card declined before the one that paid: found by payment intent, or by metadata before it.
      return PaymentFailed.make({
        eventId,
        type: "payment_intent.payment_failed",
        sessionId: null,
        paymentIntentId: paid.paymentIntentId,
        orderId,
        reason: "card_declined",
      })
    case "unrecognized":
      return Unrecognized.make({ eventId, type: "customer.updated" })
  }
}

export const raceEvents = (
  plan: Race,
  paid: PaymentSucceeded,
  orderId: OrderId,
): ReadonlyArray<PaymentEvent> => [
  ...Array.from({ length: plan.copies }, () => paid),
  ...(plan.rival === null
    ? []
    : Array.from({ length: plan.rivalCopies }, () =>
        rivalEvent(plan.rival ?? "unrecognized", paid, orderId),
      )),
]

/**
 * Checkout and pay, then start every delivery of the race at once; fast-check's scheduler picks the
 * order of their port calls. A delivery that lost too many compare-and-set rounds answered 5xx and
 * Stripe sends it again once the dust settles.
 */
export const runRace = <E>(
  storage: Layer.Layer<StoragePorts, E>,
  shop: Shop,
  plan: Race,
  scheduler: fc.Scheduler,
) =>
  usingRuntime(talliedWorld(storage), async (runtime) => {
    const { order, event } = await runtime.runPromise(
      Effect.gen(function* () {
        const opened = yield* openCheckout(shop)
        return { order: opened.order, event: yield* (yield* SandboxControl).pay(opened.sessionId) }
      }),
    )
    const deliveries = raceEvents(plan, event, order.id)
    const racer = await racingWorld(runtime, scheduler)
    const outcomes = await scheduler
      .waitFor(
        Promise.all(
          deliveries.map((delivery) => racer.runPromise(Effect.either(handlePaymentEvent(delivery)))),
        ),
      )
      .finally(() => racer.dispose())
    for (const [i, outcome] of outcomes.entries()) {
      const delivery = deliveries[i]
      if (Either.isRight(outcome) || delivery === undefined) continue
      expect(outcome.left._tag, `delivery ${i} (${delivery.type}) failed`).toBe("WriteConflict")
      await runtime.runPromise(handlePaymentEvent(delivery))
    }
    // A single order always gets its capacity back, so even an expiry processed first ends confirmed.
    expectFinalizedOnce(shop, await runtime.runPromise(readBooks(shop, order.id)))
    for (const delivery of deliveries) await expectProcessed(runtime, delivery.eventId)
    await expectSettledForGood(runtime, shop, order.id, event)
  })
