import { StripeWebhookEvents } from "@settle/adapters"
import { handlePaymentEvent } from "@settle/domain"
import { Effect } from "effect"

/**
 * One Stripe delivery, from the signed bytes to the answer Stripe reads. 2xx means "do not send this
 * again": processed, duplicate, a type we ignore, and an amount mismatch (potential fraud, parked in
 * payment_review, never retried). A transient failure is a 5xx, so Stripe retries for days.
 */
export const receiveStripeDelivery = (raw: Buffer, signature: string) =>
  Effect.gen(function* () {
    const event = yield* (yield* StripeWebhookEvents).decode(raw, signature)
    const outcome = yield* handlePaymentEvent(event)
    const orderId = outcome._tag === "Duplicate" ? null : outcome.orderId
    yield* Effect.logInfo(`[stripe.webhook] ${event.type} ${event.eventId}: ${outcome._tag}`).pipe(
      Effect.annotateLogs({ stripeEventId: event.eventId, type: event.type, orderId }),
    )
    return {
      received: true as const,
      eventId: event.eventId,
      outcome:
        outcome._tag === "Processed"
          ? { status: "processed" as const, detail: outcome.detail, orderId: outcome.orderId }
          : outcome._tag === "Duplicate"
            ? { status: "duplicate" as const }
            : { status: "amount_mismatch" as const, orderId: outcome.orderId },
    }
  })
