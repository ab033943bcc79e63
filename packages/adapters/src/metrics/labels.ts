import type { createCheckout } from "@settle/domain"
import type { Effect } from "effect"

/**
 * Label values are bounded so a label can never become an unbounded series set: every value outside
 * a known set is counted as "other". Stripe has about 250 event types; only signed events reach the
 * counters, but a misconfigured endpoint subscribed to "all events" would still fan out.
 */
export const OTHER = "other"

/** The types the payment-event decoder acts on, plus the ones a payments endpoint commonly receives. */
export const WEBHOOK_EVENT_TYPES: ReadonlyArray<string> = [
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
  "checkout.session.expired",
  "charge.refunded",
  "payment_intent.payment_failed",
  "charge.succeeded",
  "charge.failed",
  "charge.refund.updated",
  "charge.dispute.created",
  "charge.dispute.closed",
  "payment_intent.created",
  "payment_intent.succeeded",
  "payment_intent.processing",
  "payment_intent.canceled",
  "refund.created",
  "refund.updated",
  "refund.failed",
  "invoice.created",
  "invoice.finalized",
  "invoice.paid",
  "invoice.payment_failed",
]

/** The ones the finalization path acts on: their series exist from the first scrape, at 0. */
export const ACTED_ON_EVENT_TYPES: ReadonlyArray<string> = WEBHOOK_EVENT_TYPES.slice(0, 6)

type CheckoutFailureTag = Effect.Effect.Error<ReturnType<typeof createCheckout>>["_tag"]

// A Record over the use-case's error union: a new checkout error fails the typecheck here until it
// gets its own label, instead of silently counting as "other".
const checkoutFailureTags: Record<CheckoutFailureTag, true> = {
  InvalidInput: true,
  InputRefused: true,
  UnknownSku: true,
  InsufficientStock: true,
  UnknownCoupon: true,
  CouponUnavailable: true,
  CurrencyMismatch: true,
  AmountTooLarge: true,
  StoreError: true,
  PaymentGatewayError: true,
  PaymentRefused: true,
  DuplicateKey: true,
}

/** checkout_failures_total{reason}: the `_tag` of the error createCheckout failed with. */
export const CHECKOUT_FAILURE_REASONS: ReadonlyArray<string> = Object.keys(checkoutFailureTags)

/** payment_review_total{reason}: why an order was held for an operator. */
export const PAYMENT_REVIEW_REASONS: ReadonlyArray<string> = ["amount_mismatch", "late_payment_capacity_gone"]

const HTTP_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])

/** Keeps a value of `known`, maps anything else to "other". */
export const bounded = (known: Iterable<string>): ((value: string) => string) => {
  const set = new Set(known)
  return (value) => (set.has(value) ? value : OTHER)
}

export const httpMethod = (method: string): string => {
  const upper = method.toUpperCase()
  return HTTP_METHODS.has(upper) ? upper : "OTHER"
}

/** Requests no route matched carry no template; their raw paths must not become label values. */
export const httpRoute = (route: string): string => (route === "" ? "unmatched" : route)
