import type Router from "@koa/router"
import { StripeWebhookEvents } from "@settle/adapters"
import { handlePaymentEvent } from "@settle/domain"
import { Effect } from "effect"
import { setScope } from "../answerErrors.js"
import { readRawJson } from "../body.js"
import { respond } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"

/**
 * Stripe's endpoint. 2xx means "do not send this again": processed, duplicate, a type we ignore, and an
 * amount mismatch (potential fraud, parked in payment_review, never retried). A bad signature or payload
 * is a 400 before anything is written; a transient failure is a 5xx, so Stripe retries for days.
 */
export const webhookRoutes = (router: Router, deps: RouteDeps): void => {
  router.post("/api/v1/webhooks/stripe", async (ctx) => {
    setScope(ctx.state, "webhook")
    // The signature covers these exact bytes; never parse and re-serialize before verifying.
    const raw = await readRawJson(ctx, deps.bodyLimitBytes)
    const signature = ctx.get("Stripe-Signature")
    const program = Effect.gen(function* () {
      const event = yield* (yield* StripeWebhookEvents).decode(raw, signature)
      const outcome = yield* handlePaymentEvent(event)
      const orderId = outcome._tag === "Duplicate" ? null : outcome.orderId
      yield* Effect.logInfo(`[stripe.webhook] ${event.type} ${event.eventId}: ${outcome._tag}`).pipe(
        Effect.annotateLogs({ stripeEventId: event.eventId, type: event.type, orderId }),
      )
      return { event, outcome }
    })
    await respond(ctx, deps.runtime, program, 200, ({ event, outcome }) => ({
      received: true,
      eventId: event.eventId,
      outcome:
        outcome._tag === "Processed"
          ? { status: "processed", detail: outcome.detail, orderId: outcome.orderId }
          : outcome._tag === "Duplicate"
            ? { status: "duplicate" }
            : { status: "amount_mismatch", orderId: outcome.orderId },
    }))
  })
}
