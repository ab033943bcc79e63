import { Schema } from "effect"
import { OrderId, PaymentIntentId, RefundId, SessionId, StripeEventId } from "./Ids.js"
import { Money } from "./Money.js"

/**
 * The small union Stripe's webhooks are reduced to at the adapter edge. `type` keeps the provider's
 * event type for the inbox record and the metrics label.
 */
const common = { eventId: StripeEventId, type: Schema.String }

/** Money captured for a checkout session (completed with payment_status=paid, or async succeeded). */
export const PaymentSucceeded = Schema.TaggedStruct("PaymentSucceeded", {
  ...common,
  sessionId: SessionId,
  orderId: Schema.NullOr(OrderId),
  paymentIntentId: PaymentIntentId,
  amount: Money,
})
/** Session completed but the money is not there yet (delayed payment methods). */
export const PaymentPending = Schema.TaggedStruct("PaymentPending", {
  ...common,
  sessionId: SessionId,
  orderId: Schema.NullOr(OrderId),
})
export const PaymentFailed = Schema.TaggedStruct("PaymentFailed", {
  ...common,
  sessionId: Schema.NullOr(SessionId),
  paymentIntentId: Schema.NullOr(PaymentIntentId),
  orderId: Schema.NullOr(OrderId),
  reason: Schema.String,
})
export const SessionExpired = Schema.TaggedStruct("SessionExpired", {
  ...common,
  sessionId: SessionId,
  orderId: Schema.NullOr(OrderId),
})
/** Cumulative refunds of a charge, as Stripe reports them on `charge.refunded`. */
export const ChargeRefunded = Schema.TaggedStruct("ChargeRefunded", {
  ...common,
  paymentIntentId: PaymentIntentId,
  refunds: Schema.Array(Schema.Struct({ refundId: RefundId, amount: Money })),
})
/** Any other type: recorded and acknowledged, never acted on. */
export const Unrecognized = Schema.TaggedStruct("Unrecognized", common)

export const PaymentEvent = Schema.Union(
  PaymentSucceeded,
  PaymentPending,
  PaymentFailed,
  SessionExpired,
  ChargeRefunded,
  Unrecognized,
)
export type PaymentEvent = typeof PaymentEvent.Type
export type PaymentSucceeded = typeof PaymentSucceeded.Type
