import { Schema } from "effect"
import { OrderId, StripeEventId } from "./Ids.js"
import { PaymentEvent } from "./PaymentEvent.js"

export const WebhookEventStatus = Schema.Literal("received", "processed", "error")
export type WebhookEventStatus = typeof WebhookEventStatus.Type

/** One row per Stripe event id (unique): the inbox that turns at-least-once delivery into exactly-once. */
export const WebhookEvent = Schema.Struct({
  stripeEventId: StripeEventId,
  type: Schema.String,
  status: WebhookEventStatus,
  attempts: Schema.Int.pipe(Schema.positive()),
  lastError: Schema.NullOr(Schema.String),
  orderId: Schema.NullOr(OrderId),
  /** The decoded event, kept so an operator can replay it by id. */
  payload: PaymentEvent,
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.DateFromSelf,
  processedAt: Schema.NullOr(Schema.DateFromSelf),
})
export type WebhookEvent = typeof WebhookEvent.Type

/** What recording a delivery found: the first delivery, a retry of an unfinished one, or a duplicate. */
export type ReceiveOutcome =
  | { readonly _tag: "New" }
  | { readonly _tag: "Retry"; readonly attempts: number }
  | { readonly _tag: "Duplicate" }
