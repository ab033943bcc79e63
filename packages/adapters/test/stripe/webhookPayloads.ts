import type Stripe from "stripe"
import { WEBHOOK_SECRET } from "./support.js"

/**
 * Webhook bodies written the way Stripe writes them (trimmed to a realistic subset of each object's
 * fields, nulls included), independent of StripeEventPayload so they test the decoder on their own.
 */

export const checkoutSession = (fields: Record<string, unknown> = {}) => ({
  id: "cs_test_a1b2c3",
  object: "checkout.session",
  amount_subtotal: 3000,
  amount_total: 2700,
  cancel_url: "https://shop.example/cart",
  client_reference_id: "ord_123",
  created: 1_795_000_000,
  currency: "eur",
  customer: null,
  customer_details: { email: "shopper@example.com", name: null, phone: null, tax_exempt: "none" },
  customer_email: "shopper@example.com",
  expires_at: 1_795_001_800,
  livemode: false,
  metadata: { orderId: "ord_123" },
  mode: "payment",
  payment_intent: "pi_3Qabc",
  payment_method_types: ["card"],
  payment_status: "paid",
  status: "complete",
  success_url: "https://shop.example/paid",
  url: null,
  ...fields,
})

export const failedPaymentIntent = (fields: Record<string, unknown> = {}) => ({
  id: "pi_3Qfail",
  object: "payment_intent",
  amount: 2700,
  currency: "eur",
  last_payment_error: {
    code: "card_declined",
    decline_code: "insufficient_funds",
    message: "Your card has insufficient funds.",
    type: "card_error",
  },
  livemode: false,
  metadata: { orderId: "ord_123" },
  status: "requires_payment_method",
  ...fields,
})

export const refund = (id: string, amount: number, status = "succeeded") => ({
  id,
  object: "refund",
  amount,
  charge: "ch_3Qabc",
  created: 1_795_000_100,
  currency: "eur",
  metadata: {},
  payment_intent: "pi_3Qabc",
  reason: null,
  status,
})

export const refundedCharge = (fields: Record<string, unknown> = {}) => ({
  id: "ch_3Qabc",
  object: "charge",
  amount: 2700,
  amount_captured: 2700,
  amount_refunded: 1000,
  currency: "eur",
  livemode: false,
  metadata: {},
  paid: true,
  payment_intent: "pi_3Qabc",
  refunded: false,
  status: "succeeded",
  ...fields,
})

export const event = (type: string, object: unknown, apiVersion = "2026-10-28.endive") => ({
  id: "evt_1Qabc",
  object: "event",
  api_version: apiVersion,
  created: 1_795_000_200,
  data: { object },
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  type,
})

const nowSeconds = () => Math.floor(Date.now() / 1000)

/** A body as Stripe sends it (pretty-printed) and its signature header, signed `ageSeconds` ago. */
export const signed = (
  stripe: Stripe,
  body: unknown,
  options: { readonly ageSeconds?: number; readonly secret?: string } = {},
) => {
  const payload = JSON.stringify(body, null, 2)
  const header = stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? WEBHOOK_SECRET,
    timestamp: nowSeconds() - (options.ageSeconds ?? 0),
  })
  return { payload, header }
}
