import type { SandboxPaymentGateway } from "@settle/adapters"
import type {
  AlreadyFinalized,
  AmountTooLarge,
  CapacityGone,
  CouponNotFound,
  CouponUnavailable,
  CurrencyMismatch,
  DuplicateKey,
  EventNotFound,
  IdempotencyKeyInUse,
  IdempotencyKeyReused,
  IllegalTransition,
  InputRefused,
  InsufficientStock,
  InvalidInput,
  InvoiceProviderError,
  MediaStorageError,
  MediaTooLarge,
  MediaTypeUnsupported,
  OrderNotFound,
  PaymentGatewayError,
  PaymentRefused,
  ProductNotFound,
  RefundExceedsCaptured,
  RequestIdReused,
  StoreError,
  UnknownCoupon,
  UnknownCursor,
  UnknownSku,
  VersionConflict,
  WebhookSignatureInvalid,
  WriteConflict,
} from "@settle/domain"
import { ACCEPTED_IMAGE_TYPES } from "@settle/domain"
import {
  type AdminAuthUnavailable,
  type AdminForbidden,
  type AdminUnauthorized,
  bearerChallenge,
} from "../auth/errors.js"
import type { JobBusy, JobFailed, JobNotFound } from "../jobs/errors.js"
import type {
  Defect,
  MethodNotAllowed,
  NotReady,
  OrderTokenRequired,
  PayloadTooLarge,
  RequestAborted,
  RouteNotFound,
  SandboxSessionNotFound,
  UnsupportedMediaType,
  WebhookDeliveryFailed,
} from "./rejections.js"

/**
 * The one table from a failure's `_tag` to an HTTP answer. Domain errors carry no status (STYLE 4);
 * every route throws what its Effect failed with and the error middleware asks this file.
 */
export interface Problem {
  readonly status: number
  /** SCREAMING_SNAKE, stable: clients branch on it, never on the message. */
  readonly code: string
  readonly message: string
  readonly details: Readonly<Record<string, unknown>>
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Where the failure happened. On the Stripe webhook a missing order is answered 5xx: the event names
 * one of our orders, so it is a lagging read or a lost write that a retry may cure.
 */
export type Scope = "api" | "webhook"

const problem = (
  status: number,
  code: string,
  message: string,
  details: Readonly<Record<string, unknown>> = {},
  headers: Readonly<Record<string, string>> = {},
): Problem => ({ status, code, message, details, headers })

/** Transient: the client (or Stripe) should retry; the cause is logged, never sent. */
const unavailable = (code: string, message: string): Problem =>
  problem(503, code, message, {}, { "Retry-After": "1" })

type Failure =
  | InvalidInput
  | InputRefused
  | UnknownSku
  | UnknownCoupon
  | UnknownCursor
  | CurrencyMismatch
  | AmountTooLarge
  | InsufficientStock
  | CouponUnavailable
  | OrderNotFound
  | EventNotFound
  | ProductNotFound
  | CouponNotFound
  | IllegalTransition
  | AlreadyFinalized
  | CapacityGone
  | RefundExceedsCaptured
  | VersionConflict
  | DuplicateKey
  | WriteConflict
  | StoreError
  | PaymentGatewayError
  | PaymentRefused
  | RequestIdReused
  | InvoiceProviderError
  | MediaStorageError
  | MediaTypeUnsupported
  | MediaTooLarge
  | WebhookSignatureInvalid
  | AdminUnauthorized
  | AdminForbidden
  | AdminAuthUnavailable
  | SandboxPaymentGateway.SandboxRefused
  | WebhookDeliveryFailed
  | SandboxSessionNotFound
  | PayloadTooLarge
  | UnsupportedMediaType
  | RequestAborted
  | RouteNotFound
  | MethodNotAllowed
  | OrderTokenRequired
  | NotReady
  | JobBusy
  | JobNotFound
  | JobFailed
  | IdempotencyKeyInUse
  | IdempotencyKeyReused
  | Defect

type Rules = {
  readonly [T in Failure["_tag"]]: (error: Extract<Failure, { _tag: T }>, scope: Scope) => Problem
}

const rules: Rules = {
  InvalidInput: (e) => problem(400, "INVALID_INPUT", e.message, { field: e.field }),
  // Matches the document but breaks a rule no schema states: 422, so 400 keeps meaning "not as documented".
  InputRefused: (e) => problem(422, "INPUT_REFUSED", e.message, { field: e.field }),
  UnknownSku: (e) =>
    problem(422, "UNKNOWN_SKU", `no product with sku ${e.sku}`, { field: "items", sku: e.sku }),
  UnknownCoupon: (e) =>
    problem(422, "UNKNOWN_COUPON", `no coupon with code ${e.code}`, { field: "couponCode", code: e.code }),
  // Well-formed, so no document can refuse it: 422, not 400 (a cursor of another list, or forged).
  UnknownCursor: (e) => problem(422, "UNKNOWN_CURSOR", e.message, { field: "cursor" }),
  CurrencyMismatch: (e) =>
    problem(422, "CURRENCY_MISMATCH", `expected ${e.expected}, got ${e.actual}`, {
      field: e.field,
      expected: e.expected,
      actual: e.actual,
    }),
  AmountTooLarge: (e) =>
    problem(422, "AMOUNT_TOO_LARGE", `the order total ${e.amount} exceeds ${e.max} minor units`, {
      field: "items",
      amount: { amount: e.amount, currency: e.currency },
      max: { amount: e.max, currency: e.currency },
    }),
  InsufficientStock: (e) =>
    problem(409, "INSUFFICIENT_STOCK", `not enough stock for ${e.sku}`, {
      field: "items",
      sku: e.sku,
      requested: e.requested,
    }),
  CouponUnavailable: (e) =>
    problem(409, "COUPON_UNAVAILABLE", `coupon ${e.code} is ${e.reason}`, {
      field: "couponCode",
      code: e.code,
      reason: e.reason,
    }),
  OrderNotFound: (_, scope) =>
    scope === "webhook"
      ? unavailable("ORDER_NOT_FOUND", "the event names an order that cannot be read yet; retry")
      : problem(404, "ORDER_NOT_FOUND", "order not found"),
  EventNotFound: (e) =>
    problem(404, "EVENT_NOT_FOUND", "no such webhook event", { stripeEventId: e.stripeEventId }),
  ProductNotFound: (e) => problem(404, "PRODUCT_NOT_FOUND", "product not found", { id: e.id }),
  CouponNotFound: (e) => problem(404, "COUPON_NOT_FOUND", "coupon not found", { id: e.id }),
  IllegalTransition: (e) =>
    problem(409, "ILLEGAL_TRANSITION", `cannot ${e.action} an order that is ${e.from}`, {
      from: e.from,
      action: e.action,
    }),
  AlreadyFinalized: (e) =>
    problem(409, "ALREADY_FINALIZED", "the order is already finalized", { orderId: e.orderId }),
  CapacityGone: (e) =>
    problem(
      409,
      "CAPACITY_GONE",
      `accepting order ${e.orderId} would oversell: ${e.resource} has nothing left to hold; restock it or refund the payment`,
      { orderId: e.orderId, resource: e.resource },
    ),
  RefundExceedsCaptured: (e) =>
    problem(422, "REFUND_EXCEEDS_CAPTURED", "the refund exceeds what is left of the captured amount", {
      field: "amount",
      requested: { amount: e.requested, currency: e.currency },
      refundable: { amount: e.refundable, currency: e.currency },
    }),
  VersionConflict: (e) =>
    problem(409, "VERSION_CONFLICT", "the record changed since it was read; re-read it and resubmit", {
      field: "expectedVersion",
      expectedVersion: e.expectedVersion,
      actualVersion: e.actualVersion,
    }),
  DuplicateKey: (e) =>
    problem(409, "DUPLICATE_KEY", `a ${e.entity} with this key already exists`, {
      entity: e.entity,
      key: e.key,
    }),
  WriteConflict: () => unavailable("WRITE_CONFLICT", "the record is busy; retry"),
  // A refusal is the store turning this operation down for good: no Retry-After, a retry changes nothing.
  StoreError: (e) =>
    e.kind === "refused"
      ? problem(500, "STORE_REFUSED", "the store refused the operation; retrying will not help")
      : unavailable("STORE_UNAVAILABLE", "the store is unavailable; retry later"),
  PaymentGatewayError: () =>
    unavailable("PAYMENT_PROVIDER_UNAVAILABLE", "the payment provider is unavailable; retry later"),
  // 502, not 422: the client's request passed Settle's checks and the provider turned down Settle's call.
  // Its code says why (Stripe's `code`, e.g. `charge_already_refunded`); repeating gets the same answer.
  PaymentRefused: (e) =>
    problem(502, "PAYMENT_PROVIDER_REFUSED", `the payment provider refused the ${e.operation} call`, {
      providerCode: e.code,
      providerStatus: e.status,
      operation: e.operation,
    }),
  RequestIdReused: (e) =>
    problem(
      422,
      "REQUEST_ID_REUSED",
      `requestId ${e.requestId} was used for a refund with a different ${e.field}; use a new requestId`,
      { field: "requestId", requestId: e.requestId, differs: e.field },
    ),
  InvoiceProviderError: () =>
    unavailable("INVOICE_PROVIDER_UNAVAILABLE", "the invoice provider is unavailable; retry later"),
  // The runbook's operators need Cloudinary's own message ("Invalid Signature …") to fix the secret.
  MediaStorageError: (e) =>
    e.providerAnswered
      ? problem(502, "CLOUDINARY_ERROR", e.message)
      : unavailable("MEDIA_PROVIDER_UNAVAILABLE", "the media provider is unavailable; retry later"),
  MediaTypeUnsupported: (e) =>
    problem(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      `the file must be a JPEG, PNG, WebP or GIF image and declared as one (declared ${e.declared}, content ${e.detected ?? "not an accepted image"})`,
      { field: e.field, declared: e.declared, detected: e.detected, accepted: ACCEPTED_IMAGE_TYPES },
    ),
  MediaTooLarge: (e) =>
    problem(
      413,
      "PAYLOAD_TOO_LARGE",
      `the file exceeds ${e.limit} bytes`,
      { field: e.field, limit: e.limit },
      // Refused mid-stream: do not read the rest of it, close once answered.
      { Connection: "close" },
    ),
  WebhookSignatureInvalid: (e) => problem(400, "WEBHOOK_SIGNATURE_INVALID", e.message),
  AdminUnauthorized: (e) =>
    problem(401, "UNAUTHORIZED", e.message, { reason: e.reason }, { "WWW-Authenticate": bearerChallenge(e) }),
  AdminForbidden: (e) => problem(403, "FORBIDDEN", e.message, {}, { "WWW-Authenticate": bearerChallenge(e) }),
  // The identity provider's JWKS is unreachable: the token may well be valid, so retry rather than re-login.
  AdminAuthUnavailable: () =>
    unavailable("ADMIN_AUTH_UNAVAILABLE", "admin tokens cannot be verified right now; retry later"),
  SandboxRefused: (e) => problem(409, "SANDBOX_REFUSED", e.message),
  SandboxSessionNotFound: (e) =>
    problem(404, "SANDBOX_SESSION_NOT_FOUND", "no such sandbox checkout session", { sessionId: e.sessionId }),
  WebhookDeliveryFailed: (e) =>
    problem(502, "WEBHOOK_DELIVERY_FAILED", "the webhook endpoint did not accept the signed event", {
      eventId: e.eventId,
      status: e.status,
      attempts: e.attempts,
      response: e.response,
    }),
  PayloadTooLarge: (e) =>
    problem(
      413,
      "PAYLOAD_TOO_LARGE",
      `the body exceeds ${e.limit} bytes`,
      { field: "body", limit: e.limit },
      // Do not keep reading a body we refused: close the connection after answering.
      { Connection: "close" },
    ),
  UnsupportedMediaType: (e) =>
    problem(415, "UNSUPPORTED_MEDIA_TYPE", "the body must be application/json", {
      field: "body",
      contentType: e.contentType,
    }),
  RequestAborted: () => problem(400, "REQUEST_ABORTED", "the request body was not received in full"),
  RouteNotFound: (e) => problem(404, "NOT_FOUND", `no route for ${e.method} ${e.path}`),
  MethodNotAllowed: (e) =>
    problem(
      405,
      "METHOD_NOT_ALLOWED",
      `${e.method} is not allowed here`,
      { allowed: e.allowed },
      { Allow: e.allowed.join(", ") },
    ),
  OrderTokenRequired: () =>
    problem(
      401,
      "ORDER_TOKEN_REQUIRED",
      "send the order's access token in the X-Order-Token header",
      {},
      { "WWW-Authenticate": 'X-Order-Token realm="orders"' },
    ),
  NotReady: (e) => unavailable("NOT_READY", e.reason),
  JobBusy: (e) =>
    problem(409, "JOB_BUSY", `another run of ${e.job} holds its lease; try again once it has finished`, {
      job: e.job,
      holder: e.holder,
      expiresAt: e.expiresAt?.toISOString() ?? null,
    }),
  JobNotFound: (e) => problem(404, "JOB_NOT_FOUND", `no job named ${e.job}`, { job: e.job, known: e.known }),
  // Admin-only, and what the run did stays done: the operator gets the reason to fix it and retry.
  JobFailed: (e) =>
    problem(503, "JOB_FAILED", `the ${e.job} run failed; what it did is kept`, {
      job: e.job,
      error: e.error,
    }),
  // Retryable: the first request with the key is still running; its answer is replayed once it is done.
  IdempotencyKeyInUse: () =>
    problem(
      409,
      "IDEMPOTENCY_KEY_IN_USE",
      "a request with this Idempotency-Key is still running; retry shortly",
      { field: "Idempotency-Key" },
      { "Retry-After": "1" },
    ),
  IdempotencyKeyReused: () =>
    problem(
      422,
      "IDEMPOTENCY_KEY_REUSED",
      "this Idempotency-Key was used with a different request; use a new key",
      { field: "Idempotency-Key" },
    ),
  Defect: () => problem(500, "INTERNAL_ERROR", "internal error"),
}

const internal = rules.Defect(undefined as never, "api")

const hasTag = (error: unknown): error is { readonly _tag: string } =>
  typeof error === "object" && error !== null && typeof (error as { _tag?: unknown })._tag === "string"

/** Koa's own http-errors (`ctx.throw`, a malformed URL): keep their 4xx, hide anything else. */
const koaHttpError = (error: unknown): Problem | null => {
  if (typeof error !== "object" || error === null) return null
  const { status, expose, message } = error as { status?: unknown; expose?: unknown; message?: unknown }
  if (typeof status !== "number" || status < 400 || status > 499 || expose !== true) return null
  return problem(status, "BAD_REQUEST", typeof message === "string" ? message : "bad request")
}

/** The answer for anything a route threw; unknown throwables are defects and say nothing. */
export const problemFor = (error: unknown, scope: Scope = "api"): Problem => {
  if (hasTag(error) && Object.hasOwn(rules, error._tag)) {
    const rule = rules[error._tag as Failure["_tag"]] as (error: unknown, scope: Scope) => Problem
    return rule(error, scope)
  }
  return koaHttpError(error) ?? internal
}

/** The JSON every error answer carries. */
export const errorBody = (p: Problem) => ({
  error: { code: p.code, message: p.message, details: p.details },
})
