import { Schema } from "effect"

/** Bad input: `field` is the path that failed (e.g. `items.0.quantity`). */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  field: Schema.String,
  message: Schema.String,
}) {}

/**
 * Well-formed input a rule refuses that no schema of the request can state (a date that must lie in
 * the future, a sku once per cart, a total bound): `field` names what to change. The reference server
 * answers 422 INPUT_REFUSED, keeping 400 INVALID_INPUT for input that does not match the document.
 */
export class InputRefused extends Schema.TaggedError<InputRefused>()("InputRefused", {
  field: Schema.String,
  message: Schema.String,
}) {}

export class UnknownSku extends Schema.TaggedError<UnknownSku>()("UnknownSku", { sku: Schema.String }) {}

export class InsufficientStock extends Schema.TaggedError<InsufficientStock>()("InsufficientStock", {
  sku: Schema.String,
  requested: Schema.Number,
}) {}

export class UnknownCoupon extends Schema.TaggedError<UnknownCoupon>()("UnknownCoupon", {
  code: Schema.String,
}) {}

/** The coupon exists but cannot be used now: inactive, expired, or out of redemptions. */
export class CouponUnavailable extends Schema.TaggedError<CouponUnavailable>()("CouponUnavailable", {
  code: Schema.String,
  reason: Schema.Literal("inactive", "expired", "exhausted"),
}) {}

export class CurrencyMismatch extends Schema.TaggedError<CurrencyMismatch>()("CurrencyMismatch", {
  field: Schema.String,
  expected: Schema.String,
  actual: Schema.String,
}) {}

/** The priced cart exceeds what one payment can carry; amounts in minor units of `currency`. */
export class AmountTooLarge extends Schema.TaggedError<AmountTooLarge>()("AmountTooLarge", {
  amount: Schema.Number,
  max: Schema.Number,
  currency: Schema.String,
}) {}

export class OrderNotFound extends Schema.TaggedError<OrderNotFound>()("OrderNotFound", {
  key: Schema.String,
}) {}

export class EventNotFound extends Schema.TaggedError<EventNotFound>()("EventNotFound", {
  stripeEventId: Schema.String,
}) {}

export class IllegalTransition extends Schema.TaggedError<IllegalTransition>()("IllegalTransition", {
  from: Schema.String,
  action: Schema.String,
}) {}

/**
 * Accepting a payment held for review needs its order's stock and coupon again, and `resource` (a sku,
 * or `coupon <code>`) has none left: accepting would oversell, so nothing is accepted.
 */
export class CapacityGone extends Schema.TaggedError<CapacityGone>()("CapacityGone", {
  orderId: Schema.String,
  resource: Schema.String,
}) {}

/** Replay refused: `webhook.processedAt` is set, so retrying could only do harm. */
export class AlreadyFinalized extends Schema.TaggedError<AlreadyFinalized>()("AlreadyFinalized", {
  orderId: Schema.String,
}) {}

export class RefundExceedsCaptured extends Schema.TaggedError<RefundExceedsCaptured>()(
  "RefundExceedsCaptured",
  {
    /** Minor units of `currency`, the order's charge currency. */
    requested: Schema.Number,
    refundable: Schema.Number,
    currency: Schema.String,
  },
) {}

/** Another writer changed the record between read and write more often than a retry loop allows. */
export class WriteConflict extends Schema.TaggedError<WriteConflict>()("WriteConflict", {
  entity: Schema.String,
  id: Schema.String,
}) {}

/** An insert hit a unique key. */
export class DuplicateKey extends Schema.TaggedError<DuplicateKey>()("DuplicateKey", {
  entity: Schema.String,
  key: Schema.String,
}) {}

/**
 * The store failed. `unavailable` (the default: network, timeout, a primary stepping down) may pass on
 * a retry; `refused` is the store turning this write or read down for good (a document over its size
 * limit, a validation or type error, a malformed stored document), which no retry cures.
 */
export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  message: Schema.String,
  kind: Schema.optionalWith(Schema.Literal("unavailable", "refused"), { default: () => "unavailable" }),
  cause: Schema.optional(Schema.Defect),
}) {}

/**
 * The payment provider is unreachable or failing (network, timeout, 5xx, 429 rate limit): a retry may
 * pass, so the webhook answers 5xx and Stripe retries, and the API answers 503 with Retry-After.
 */
export class PaymentGatewayError extends Schema.TaggedError<PaymentGatewayError>()("PaymentGatewayError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect),
}) {}

/**
 * The payment provider answered and turned the call down for good (a 4xx other than 429: an invalid
 * refund, a charge already refunded, a key it does not accept). Repeating it gets the same answer, so
 * nothing waits for it: an amount reserved for the call is released. `code` is the provider's own
 * (Stripe's `code`, else its error type), `status` its HTTP status when it gave one.
 */
export class PaymentRefused extends Schema.TaggedError<PaymentRefused>()("PaymentRefused", {
  operation: Schema.String,
  code: Schema.String,
  status: Schema.NullOr(Schema.Number),
  message: Schema.String,
  cause: Schema.optional(Schema.Defect),
}) {}

/** Every way a payment provider call fails. */
export type GatewayFailure = PaymentGatewayError | PaymentRefused

/**
 * A refund `requestId` already used for a refund with other parameters (amount, reason or restock):
 * answering with the first refund would hide that this one never happened, so nothing is done.
 */
export class RequestIdReused extends Schema.TaggedError<RequestIdReused>()("RequestIdReused", {
  requestId: Schema.String,
  field: Schema.String,
}) {}

export class InvoiceProviderError extends Schema.TaggedError<InvoiceProviderError>()("InvoiceProviderError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect),
}) {}

export class MediaStorageError extends Schema.TaggedError<MediaStorageError>()("MediaStorageError", {
  message: Schema.String,
  /** The provider answered with an error (502) rather than being unreachable (503). */
  providerAnswered: Schema.Boolean,
  cause: Schema.optional(Schema.Defect),
}) {}

/**
 * An upload that is not an accepted image: its declared type is not one, or its first bytes are not
 * the image it claims to be. Nothing reaches the media provider.
 */
export class MediaTypeUnsupported extends Schema.TaggedError<MediaTypeUnsupported>()("MediaTypeUnsupported", {
  field: Schema.String,
  /** The Content-Type the client gave the file. */
  declared: Schema.String,
  /** The image type the file's magic bytes show; null when they match no accepted type. */
  detected: Schema.NullOr(Schema.String),
}) {}

/** An upload past the size limit, refused as soon as the stream crosses it; nothing is recorded. */
export class MediaTooLarge extends Schema.TaggedError<MediaTooLarge>()("MediaTooLarge", {
  field: Schema.String,
  limit: Schema.Number,
}) {}

/**
 * Failures a retry may cure: the webhook route maps these to 5xx. A StoreError only with `kind` unavailable.
 */
export type TransientError = StoreError | PaymentGatewayError | WriteConflict

/** A webhook whose Stripe-Signature is missing, garbled, wrong or outside the tolerance window: answered 400. */
export class WebhookSignatureInvalid extends Schema.TaggedError<WebhookSignatureInvalid>()(
  "WebhookSignatureInvalid",
  { message: Schema.String },
) {}

/** An admin read or edit named a product id that is not in the catalog. */
export class ProductNotFound extends Schema.TaggedError<ProductNotFound>()("ProductNotFound", {
  id: Schema.String,
}) {}

/** An admin read or edit named a coupon id that does not exist. */
export class CouponNotFound extends Schema.TaggedError<CouponNotFound>()("CouponNotFound", {
  id: Schema.String,
}) {}

/**
 * An admin edit pinned the version it had read (`expectedVersion`) and the record has moved on since:
 * applying it would overwrite a change the admin never saw, so nothing is written; re-read and resubmit.
 */
export class VersionConflict extends Schema.TaggedError<VersionConflict>()("VersionConflict", {
  entity: Schema.String,
  id: Schema.String,
  expectedVersion: Schema.Number,
  actualVersion: Schema.Number,
}) {}
