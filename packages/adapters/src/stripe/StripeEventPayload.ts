import type { ChargeRefunded, OrderId, PaymentEvent, SessionId } from "@settle/domain"
import Stripe from "stripe"

/**
 * The inverse of StripeEventDecoder: the JSON Stripe would POST for a domain PaymentEvent, so the
 * offline sandbox delivers real Stripe-shaped, really signed webhooks through the real decoding path.
 * Objects carry what the domain event knows; Stripe fields it does not know (a pending session's
 * amount, a failed intent's amount) are left out rather than invented. The event's `type` must be one
 * Stripe sends for that member (PaymentSucceeded: checkout.session.completed or …async_payment_succeeded).
 */

type StripeObject = { readonly object: string } & { readonly [field: string]: unknown }

export interface StripeEventPayload {
  readonly id: string
  readonly object: "event"
  readonly api_version: string
  readonly created: number
  readonly data: { readonly object: StripeObject }
  readonly livemode: false
  readonly pending_webhooks: number
  readonly request: { readonly id: null; readonly idempotency_key: null }
  readonly type: string
}

export interface SignedDelivery {
  /** The exact body to POST: the signature covers these bytes. */
  readonly payload: string
  /** The `Stripe-Signature` header value. */
  readonly header: string
}

const unixSeconds = (date: Date): number => Math.floor(date.getTime() / 1000)

const orderMetadata = (orderId: OrderId | null) => (orderId === null ? {} : { orderId })

const session = (sessionId: SessionId, orderId: OrderId | null, fields: object): StripeObject => ({
  id: sessionId,
  object: "checkout.session",
  client_reference_id: orderId,
  livemode: false,
  metadata: orderMetadata(orderId),
  mode: "payment",
  ...fields,
})

/**
 * A refunded charge with its refunds embedded, as API versions before 2022-11-15 sent it: the sandbox
 * has no API to list them from. The charge id is derived from the payment intent's (the event has none).
 */
const charge = (event: typeof ChargeRefunded.Type): StripeObject => {
  const id = `ch_${event.paymentIntentId}`
  const currency = event.refunds[0]?.amount.currency.toLowerCase()
  return {
    id,
    object: "charge",
    amount_refunded: event.refunds.reduce((sum, refund) => sum + refund.amount.amount, 0),
    ...(currency === undefined ? {} : { currency }),
    livemode: false,
    payment_intent: event.paymentIntentId,
    refunds: {
      object: "list",
      // Stripe lists newest first.
      data: [...event.refunds].reverse().map((refund) => ({
        id: refund.refundId,
        object: "refund",
        amount: refund.amount.amount,
        charge: id,
        currency: refund.amount.currency.toLowerCase(),
        payment_intent: event.paymentIntentId,
        status: "succeeded",
      })),
      has_more: false,
      url: `/v1/refunds?charge=${id}`,
    },
  }
}

const objectOf = (event: PaymentEvent): StripeObject => {
  switch (event._tag) {
    case "PaymentSucceeded":
      return session(event.sessionId, event.orderId, {
        amount_total: event.amount.amount,
        currency: event.amount.currency.toLowerCase(),
        payment_intent: event.paymentIntentId,
        payment_status: "paid",
        status: "complete",
      })
    case "PaymentPending":
      return session(event.sessionId, event.orderId, {
        payment_intent: null,
        payment_status: "unpaid",
        status: "complete",
      })
    case "PaymentFailed":
      return event.sessionId === null
        ? {
            id: event.paymentIntentId,
            object: "payment_intent",
            last_payment_error: { message: event.reason },
            livemode: false,
            metadata: orderMetadata(event.orderId),
            status: "requires_payment_method",
          }
        : session(event.sessionId, event.orderId, {
            payment_intent: event.paymentIntentId,
            payment_status: "unpaid",
            status: "complete",
          })
    case "SessionExpired":
      return session(event.sessionId, event.orderId, {
        payment_intent: null,
        payment_status: "unpaid",
        status: "expired",
      })
    case "ChargeRefunded":
      return charge(event)
    case "Unrecognized":
      return { object: event.type.split(".")[0] ?? event.type }
  }
}

/** The event as Stripe would POST it to a webhook endpoint. */
export const toStripeEvent = (event: PaymentEvent, created: Date): StripeEventPayload => ({
  id: event.eventId,
  object: "event",
  api_version: Stripe.API_VERSION,
  created: unixSeconds(created),
  data: { object: objectOf(event) },
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  type: event.type,
})

/**
 * The body and `Stripe-Signature` header of one delivery, signed with the endpoint's secret at
 * `signedAt` (a redelivery is signed anew, at its own time, as Stripe does).
 */
export const signedDelivery = (
  stripe: Stripe,
  event: PaymentEvent,
  secret: string,
  created: Date,
  signedAt: Date = created,
): SignedDelivery => {
  // Pretty-printed like Stripe's own bodies, so a receiver that re-serializes before verifying fails here too.
  const payload = JSON.stringify(toStripeEvent(event, created), null, 2)
  const header = stripe.webhooks.generateTestHeaderString({
    payload,
    secret,
    timestamp: unixSeconds(signedAt),
  })
  return { payload, header }
}
