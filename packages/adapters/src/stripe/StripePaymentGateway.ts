import {
  type GatewayFailure,
  type OpenedSession,
  PaymentGateway,
  PaymentGatewayError,
  type RefundRequest,
  SessionId,
  type SessionRequest,
  type SessionState,
} from "@settle/domain"
import { Effect, Layer, Schema } from "effect"
import type Stripe from "stripe"
import { StripeClient } from "./StripeClient.js"
import { decodeWith, orderIdOf, SessionSnapshot } from "./StripeObjects.js"
import { stripeCall } from "./stripeCall.js"

export interface StripePaymentGatewayConfig {
  /** Where Checkout sends the customer after paying; may hold Stripe's `{CHECKOUT_SESSION_ID}` template. */
  readonly successUrl: string
  readonly cancelUrl: string
}

/** Stripe caps a payment-mode session at 100 line items. */
const MAX_LINE_ITEMS = 100

/** Stripe's own refund reasons; any other reason text travels in metadata only. */
const STRIPE_REFUND_REASONS = new Set(["duplicate", "fraudulent", "requested_by_customer"])

/** Stripe's limit for one metadata value; also keeps the one-line order summary short. */
const TEXT_MAX = 500

type LineItem = Stripe.Checkout.SessionCreateParams.LineItem

/**
 * The lines the customer sees. `request.amount` is the total after discount, and finalization verifies
 * the payment against exactly that number, so Stripe's `amount_total` must equal it. When the lines add
 * up to it (no discount) they are sent as they are. Otherwise one line "Order <id>" carries the total:
 * Stripe's `discounts` would need a Coupon object created per order first (one more write, left in the
 * account) and Stripe spreads a percent off over the lines with its own rounding, so its total could
 * differ by a cent from Settle's and a paid order would land in payment_review.
 */
export const lineItemsFor = (request: SessionRequest): ReadonlyArray<LineItem> => {
  const currency = request.amount.currency.toLowerCase()
  const itemsTotal = request.lineItems.reduce((sum, item) => sum + item.unitAmount.amount * item.quantity, 0)
  const itemized =
    request.lineItems.length > 0 &&
    request.lineItems.length <= MAX_LINE_ITEMS &&
    itemsTotal === request.amount.amount &&
    request.lineItems.every((item) => item.unitAmount.currency === request.amount.currency)
  if (itemized) {
    return request.lineItems.map((item) => ({
      quantity: item.quantity,
      price_data: { currency, unit_amount: item.unitAmount.amount, product_data: { name: item.name } },
    }))
  }
  const summary = request.lineItems.map((item) => `${item.quantity} × ${item.name}`).join(", ")
  return [
    {
      quantity: 1,
      price_data: {
        currency,
        unit_amount: request.amount.amount,
        product_data: {
          name: `Order ${request.orderId}`,
          ...(summary === "" ? {} : { description: summary.slice(0, TEXT_MAX) }),
        },
      },
    },
  ]
}

export const sessionParams = (
  request: SessionRequest,
  config: StripePaymentGatewayConfig,
): Stripe.Checkout.SessionCreateParams => ({
  mode: "payment",
  line_items: [...lineItemsFor(request)],
  customer_email: request.customerEmail,
  // Rounded down so the session never outlives the reservation it is aligned with.
  expires_at: Math.floor(request.expiresAt.getTime() / 1000),
  metadata: { orderId: request.orderId },
  client_reference_id: request.orderId,
  // The payment intent carries the order too, so payment_intent.* events can be matched without the session.
  payment_intent_data: { metadata: { orderId: request.orderId } },
  success_url: config.successUrl,
  cancel_url: config.cancelUrl,
})

export const refundParams = (request: RefundRequest): Stripe.RefundCreateParams => {
  const reason = request.reason
  return {
    payment_intent: request.paymentIntentId,
    amount: request.amount.amount,
    ...(reason !== null && STRIPE_REFUND_REASONS.has(reason) ? { reason } : {}),
    metadata: {
      idempotencyKey: request.idempotencyKey,
      ...(reason === null ? {} : { reason: reason.slice(0, TEXT_MAX) }),
    },
  }
}

const malformed = (what: string) => (issue: { readonly path: string; readonly message: string }) =>
  new PaymentGatewayError({
    message: `Stripe answered a malformed ${what} at ${issue.path || "(root)"}: ${issue.message}`,
  })

const OpenedSessionResponse = Schema.Struct({ id: SessionId, url: Schema.String })
const RefundResponse = Schema.Struct({ id: Schema.String, status: Schema.NullOr(Schema.String) })

/** The reconciler's view of a session, from a retrieved (or webhook) checkout.session object. */
export const toSessionState = (session: unknown): Effect.Effect<SessionState, PaymentGatewayError> =>
  Effect.map(decodeWith(SessionSnapshot, malformed("checkout.session"))(session), (snapshot) => ({
    sessionId: snapshot.id,
    status: snapshot.status,
    paymentStatus: snapshot.payment_status,
    paymentIntentId: snapshot.payment_intent,
    amount: { amount: snapshot.amount_total, currency: snapshot.currency },
    orderId: orderIdOf(snapshot),
  }))

export const make = (stripe: Stripe, config: StripePaymentGatewayConfig): PaymentGateway => {
  const openSession = (request: SessionRequest): Effect.Effect<OpenedSession, GatewayFailure> =>
    stripeCall("checkout.sessions.create", () =>
      stripe.checkout.sessions.create(sessionParams(request, config), {
        idempotencyKey: request.idempotencyKey,
      }),
    ).pipe(
      Effect.flatMap(decodeWith(OpenedSessionResponse, malformed("checkout.session"))),
      Effect.map(({ id, url }) => ({ sessionId: id, url })),
    )

  const retrieveSession = (sessionId: SessionId) =>
    stripeCall("checkout.sessions.retrieve", () => stripe.checkout.sessions.retrieve(sessionId)).pipe(
      Effect.flatMap(toSessionState),
    )

  const refund = (request: RefundRequest) =>
    stripeCall("refunds.create", () =>
      stripe.refunds.create(refundParams(request), { idempotencyKey: request.idempotencyKey }),
    ).pipe(
      Effect.flatMap(decodeWith(RefundResponse, malformed("refund"))),
      // A refund Stripe gives no status yet has not settled.
      Effect.map(({ id, status }) => ({ refundId: id, status: status ?? "pending" })),
    )

  return PaymentGateway.of({ openSession, retrieveSession, refund })
}

export const layer = (config: StripePaymentGatewayConfig): Layer.Layer<PaymentGateway, never, StripeClient> =>
  Layer.effect(
    PaymentGateway,
    Effect.map(StripeClient, (stripe) => make(stripe, config)),
  )
