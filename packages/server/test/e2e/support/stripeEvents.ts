import { randomUUID } from "node:crypto"
import { StripeClient, StripeEventPayload } from "@settle/adapters"
import {
  money,
  OrderId,
  type PaymentEvent,
  PaymentIntentId,
  PaymentSucceeded,
  SessionExpired,
  SessionId,
  StripeEventId,
} from "@settle/domain"
import { Effect } from "effect"
import { type Answer, postJson } from "./http.js"
import { type Placed, sessionIdOf, WEBHOOK_SECRET } from "./shop.js"

// Only its webhook signing is used: the SDK never calls the API here.
const stripe = Effect.runSync(StripeClient.make({ secretKey: "sk_test_e2e_signer_offline" }))

export const eventId = () => StripeEventId.make(`evt_e2e_${randomUUID().replaceAll("-", "")}`)

/** The `checkout.session.completed` Stripe sends when the checkout's session is paid. */
export const completed = (placed: Placed, amount: number = placed.order.totals.total.amount) =>
  PaymentSucceeded.make({
    eventId: eventId(),
    type: "checkout.session.completed",
    sessionId: SessionId.make(sessionIdOf(placed)),
    orderId: OrderId.make(placed.order.id),
    paymentIntentId: PaymentIntentId.make(`pi_e2e_${randomUUID().replaceAll("-", "")}`),
    amount: money(amount, "EUR"),
  })

export const expired = (placed: Placed) =>
  SessionExpired.make({
    eventId: eventId(),
    type: "checkout.session.expired",
    sessionId: SessionId.make(sessionIdOf(placed)),
    orderId: OrderId.make(placed.order.id),
  })

export interface Delivery {
  readonly payload: string
  readonly header: string
}

/** Stripe's JSON for `event` and its `Stripe-Signature`, signed at `signedAt`. */
export const signed = (event: PaymentEvent, signedAt: Date = new Date(), secret = WEBHOOK_SECRET): Delivery =>
  StripeEventPayload.signedDelivery(stripe, event, secret, new Date(), signedAt)

export const signRaw = (payload: string, secret = WEBHOOK_SECRET): string =>
  stripe.webhooks.generateTestHeaderString({ payload, secret })

export const post = (baseUrl: string, delivery: Delivery): Promise<Answer> =>
  postJson(`${baseUrl}/api/v1/webhooks/stripe`, delivery.payload, { "Stripe-Signature": delivery.header })

/** Signs `event` now and POSTs it to the webhook endpoint, as one Stripe delivery. */
export const deliver = (baseUrl: string, event: PaymentEvent): Promise<Answer> => post(baseUrl, signed(event))
