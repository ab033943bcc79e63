import type { ErrorSpec } from "../contract/route.js"
import { UNKNOWN_CURSOR_ERROR } from "../pagination.js"

/**
 * Refusals the admin routes share, for their declarations. The framework adds those of the guard
 * (401/403/503) and of a JSON body (400/413/415); these are what the use-cases answer.
 */

/** A path id or query parameter that does not decode, named in `details.field`. */
export const INVALID_PARAMETER: ErrorSpec = {
  description: "A path or query parameter does not decode (named in `details.field`)",
  codes: ["INVALID_INPUT"],
}

export const ORDER_NOT_FOUND: ErrorSpec = { description: "No order with this id", codes: ["ORDER_NOT_FOUND"] }

export const VERSION_CONFLICT: ErrorSpec = {
  description: "`expectedVersion` is not the record's version: re-read it and resubmit",
  codes: ["VERSION_CONFLICT"],
}

export const DUPLICATE_KEY: ErrorSpec = {
  description: "A record with this key already exists",
  codes: ["DUPLICATE_KEY"],
}

/** The payment provider turned the call down for good (its code in `details.providerCode`): no retry helps. */
export const PAYMENT_PROVIDER_REFUSED: ErrorSpec = {
  description:
    "The payment provider refused the call (`details.providerCode` says why); repeating gets the same answer",
  codes: ["PAYMENT_PROVIDER_REFUSED"],
}

/** 503 of a route that calls the payment provider: the store's, or the provider's. */
export const PROVIDER_OR_STORE_UNAVAILABLE: ErrorSpec = {
  description:
    "The store or the payment provider is unavailable: repeat the request after `Retry-After`; a refund resumes under the same idempotency key",
  codes: ["STORE_UNAVAILABLE", "WRITE_CONFLICT", "PAYMENT_PROVIDER_UNAVAILABLE"],
  headers: { "Retry-After": { description: "Seconds to wait before retrying" } },
}

/** A list's query parameter that is unknown, repeated or malformed, named in `details.field`. */
export const INVALID_LIST_PARAMETER: ErrorSpec = {
  ...INVALID_PARAMETER,
  description: "A parameter is unknown, repeated or malformed (named in `details.field`)",
}

/** What every paged admin list refuses: a bad parameter, and a cursor it did not issue. */
export const LIST_ERRORS = { 400: INVALID_LIST_PARAMETER, ...UNKNOWN_CURSOR_ERROR } as const
