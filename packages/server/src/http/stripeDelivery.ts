import { StripeWebhookEvents } from "@settle/adapters"
import { handlePaymentEvent, recordUndecodableEvent } from "@settle/domain"
import { Effect } from "effect"

/** WEBHOOK_ORPHAN_WINDOW_SECONDS' default: an hour for a lagging write to bring the order an event names. */
export const DEFAULT_ORPHAN_WINDOW_MS = 3_600_000

export interface DeliveryOptions {
  /** How long after the event's `created` a missing order is answered 503 (Stripe retries). */
  readonly orphanWindowMs?: number | undefined
}

/**
 * One Stripe delivery, from the signed bytes to the answer Stripe reads. 2xx means "do not send this
 * again": processed, duplicate, a type we ignore, an amount mismatch (potential fraud, parked in
 * payment_review, never retried), a signed event Settle cannot decode (stored `error` with its reason:
 * the same bytes would fail the same way), and an event whose order is still missing once the orphan
 * window has passed. A bad signature is a 400 and writes nothing. A transient failure, or an order
 * missing within the window, is a 5xx, so Stripe retries for days.
 */
export const receiveStripeDelivery = (raw: Buffer, signature: string, options: DeliveryOptions = {}) =>
  Effect.gen(function* () {
    const delivery = yield* (yield* StripeWebhookEvents).read(raw, signature)
    if (delivery._tag === "Undecodable") {
      yield* recordUndecodableEvent(delivery.eventId, delivery.type, delivery.reason)
      return {
        received: true as const,
        eventId: delivery.eventId,
        outcome: { status: "undecodable" as const, reason: delivery.reason },
      }
    }
    const { event, created } = delivery
    // The use-case logs the delivery's line, `[stripe.webhook] <type> <id>: <outcome>` with its orderId.
    const outcome = yield* handlePaymentEvent(event, {
      created,
      orphanWindowMs: options.orphanWindowMs ?? DEFAULT_ORPHAN_WINDOW_MS,
      logOutcome: true,
    })
    return {
      received: true as const,
      eventId: event.eventId,
      outcome:
        outcome._tag === "Processed"
          ? { status: "processed" as const, detail: outcome.detail, orderId: outcome.orderId }
          : outcome._tag === "Duplicate"
            ? { status: "duplicate" as const }
            : outcome._tag === "Orphaned"
              ? { status: "orphaned" as const, key: outcome.key }
              : { status: "amount_mismatch" as const, orderId: outcome.orderId },
    }
  })
