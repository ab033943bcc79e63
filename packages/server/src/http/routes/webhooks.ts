import { WebhookSignatureInvalid } from "@settle/domain"
import { Schema } from "effect"
import { setScope } from "../answerErrors.js"
import { readRawJson } from "../body.js"
import { BODY_TOO_LARGE, NOT_JSON, STORE_UNAVAILABLE } from "../contract/commonErrors.js"
import { defineRoute } from "../contract/route.js"
import { respond } from "../respond.js"
import { receiveStripeDelivery } from "../stripeDelivery.js"

/** A Stripe event as delivered; only the signed bytes are trusted, the use-case decodes the rest. */
const StripeEventBody = Schema.Struct(
  { id: Schema.String, type: Schema.String },
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
).annotations({ identifier: "StripeEvent", description: "A Stripe event object, signed in Stripe-Signature" })

const outcomeOf = <S extends string, F extends Schema.Struct.Fields>(
  status: S,
  fields: F,
  description: string,
) => Schema.Struct({ status: Schema.Literal(status), ...fields }).annotations({ description })

/** What Stripe reads: a 2xx means "do not send this again" (stripeDelivery.ts says which outcome is which). */
const DeliveryAnswer = Schema.Struct({
  received: Schema.Literal(true),
  eventId: Schema.String,
  outcome: Schema.Union(
    outcomeOf(
      "processed",
      { detail: Schema.String, orderId: Schema.NullOr(Schema.String) },
      "Finalized, or a type Settle ignores (`detail` says which)",
    ),
    outcomeOf("duplicate", {}, "Already received; nothing ran again"),
    outcomeOf(
      "amount_mismatch",
      { orderId: Schema.String },
      "The paid amount differs from the order's: parked in payment_review",
    ),
    outcomeOf(
      "undecodable",
      { reason: Schema.String },
      "Signed but not an event Settle can read: stored as `error` with this reason",
    ),
    outcomeOf(
      "orphaned",
      { key: Schema.String },
      "Names an order that still does not exist once the orphan window has passed: stored as `error`",
    ),
  ),
}).annotations({ identifier: "WebhookDeliveryAnswer" })

/** Stripe's endpoint; what each answer means to Stripe is in stripeDelivery.ts. */
export const stripeWebhookRoute = defineRoute({
  method: "post",
  path: "/api/v1/webhooks/stripe",
  operationId: "receiveStripeWebhook",
  summary: "Stripe's webhook endpoint: a signed event, verified over the raw bytes",
  tags: ["webhooks"],
  auth: "none",
  request: {
    headers: {
      "Stripe-Signature": {
        description: "Stripe's signature over the raw body; refused before the body is read when absent",
        required: true,
        schema: Schema.String.pipe(Schema.minLength(1)),
      },
    },
    body: { kind: "rawJson", schema: StripeEventBody },
  },
  responses: {
    200: {
      description:
        "Accepted: processed, a duplicate, parked, undecodable or orphaned (`outcome.status`); Stripe does not resend it",
      schema: DeliveryAnswer,
    },
  },
  errors: {
    400: {
      description:
        "The Stripe-Signature header is missing or does not verify, or the body was not received in full",
      codes: ["WEBHOOK_SIGNATURE_INVALID", "REQUEST_ABORTED"],
    },
    413: BODY_TOO_LARGE,
    415: NOT_JSON,
    502: {
      description:
        "The payment provider refused a call the event needed (its code in `details`); not retried",
      codes: ["PAYMENT_PROVIDER_REFUSED"],
    },
    503: {
      ...STORE_UNAVAILABLE,
      description: `${STORE_UNAVAILABLE.description}; the payment provider is unavailable; or the event names an order that cannot be read yet, only within the orphan window (WEBHOOK_ORPHAN_WINDOW_SECONDS from the event's \`created\`): Stripe retries`,
      codes: [...STORE_UNAVAILABLE.codes, "PAYMENT_PROVIDER_UNAVAILABLE", "ORDER_NOT_FOUND"],
    },
  },
  handler: async (ctx, deps) => {
    setScope(ctx.state, "webhook")
    const signature = ctx.get("Stripe-Signature")
    // No signature, nothing to verify: refused before a byte of a possibly large body is read.
    if (signature.trim() === "") throw new WebhookSignatureInvalid({ message: "No Stripe-Signature header" })
    // The signature covers these exact bytes; never parse and re-serialize before verifying.
    const raw = await readRawJson(ctx, deps.bodyLimitBytes)
    await respond(
      ctx,
      deps.runtime,
      receiveStripeDelivery(raw, signature, { orphanWindowMs: deps.webhookOrphanWindowMs }),
      200,
      (body) => body,
    )
  },
})

export const webhookRoutes = [stripeWebhookRoute]
