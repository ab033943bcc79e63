import type { ErrorSpec, HeaderSpec } from "./route.js"

/** Refusals many routes share; a route lists the ones it can answer in its `errors`. */

export const RETRY_AFTER: Readonly<Record<string, HeaderSpec>> = {
  "Retry-After": { description: "Seconds to wait before retrying" },
}

/** Any route that reads or writes the store. */
export const STORE_UNAVAILABLE: ErrorSpec = {
  description: "The store (or another dependency) is unavailable or busy; retry after `Retry-After`",
  codes: ["STORE_UNAVAILABLE", "WRITE_CONFLICT"],
  headers: RETRY_AFTER,
}

export const BODY_TOO_LARGE: ErrorSpec = {
  description: "The body exceeds the configured limit",
  codes: ["PAYLOAD_TOO_LARGE"],
}

export const NOT_JSON: ErrorSpec = {
  description: "The body is not `application/json`",
  codes: ["UNSUPPORTED_MEDIA_TYPE"],
}

/**
 * A request that matches the document but breaks a rule no JSON Schema can state (`details.field`
 * names the field); `rule` says which. 400 INVALID_INPUT stays "does not match the document".
 */
export const inputRefused = (rule: string): ErrorSpec => ({
  description: `${rule} (\`INPUT_REFUSED\`, the field in \`details.field\`)`,
  codes: ["INPUT_REFUSED"],
})

/** Added by the framework to routes whose JSON body it reads. */
export const JSON_BODY_ERRORS: Readonly<Record<number, ErrorSpec>> = {
  400: {
    description: "The body is not a valid JSON document for this operation (the field is in `details.field`)",
    codes: ["INVALID_INPUT", "REQUEST_ABORTED"],
  },
  413: BODY_TOO_LARGE,
  415: NOT_JSON,
}

const bearerChallenge: Readonly<Record<string, HeaderSpec>> = {
  "WWW-Authenticate": { description: "The Bearer challenge naming the reason" },
}

/** Added by the framework to `auth: "admin"` routes (checked before the body is read). */
export const ADMIN_AUTH_ERRORS: Readonly<Record<number, ErrorSpec>> = {
  401: {
    description: "No valid admin bearer token (`details.reason` says why)",
    codes: ["UNAUTHORIZED"],
    headers: bearerChallenge,
  },
  403: {
    description: "The token is valid but lacks the admin role",
    codes: ["FORBIDDEN"],
    headers: bearerChallenge,
  },
  503: {
    description:
      "Admin tokens cannot be verified right now (identity provider unreachable) or the store is unavailable; retry",
    codes: ["ADMIN_AUTH_UNAVAILABLE", "STORE_UNAVAILABLE", "WRITE_CONFLICT"],
    headers: RETRY_AFTER,
  },
}

/** Added by the framework to `auth: "metrics"` routes; only answered when a metrics token is configured. */
export const METRICS_AUTH_ERRORS: Readonly<Record<number, ErrorSpec>> = {
  401: {
    description: "METRICS_TOKEN is set and the request lacks `Authorization: Bearer <that token>`",
    codes: ["UNAUTHORIZED"],
    headers: bearerChallenge,
  },
}

/** Added by the framework to `idempotent: true` routes. */
export const IDEMPOTENCY_ERRORS: Readonly<Record<number, ErrorSpec>> = {
  400: {
    description:
      "The `Idempotency-Key` header is empty or longer than 255 characters (`INVALID_INPUT`, `details.field` is `Idempotency-Key`), on any idempotent route, with or without a body",
    codes: ["INVALID_INPUT"],
  },
  409: {
    description:
      "A request with this `Idempotency-Key` is still running (`IDEMPOTENCY_KEY_IN_USE`: retryable, retry after `Retry-After`)",
    codes: ["IDEMPOTENCY_KEY_IN_USE"],
    headers: RETRY_AFTER,
  },
  422: {
    description:
      "This `Idempotency-Key` was used with a different request (`IDEMPOTENCY_KEY_REUSED`: not retryable)",
    codes: ["IDEMPOTENCY_KEY_REUSED"],
  },
  // Claiming the key is a store write of its own, before the operation runs.
  503: {
    ...STORE_UNAVAILABLE,
    description: `${STORE_UNAVAILABLE.description} (the \`Idempotency-Key\` could not be claimed)`,
  },
}

export const IDEMPOTENCY_KEY_HEADER: HeaderSpec = {
  description:
    "Optional, at most 255 characters. A retry with the same key and body within 24 h replays the first answer instead of repeating the operation",
}

export const IDEMPOTENT_REPLAYED_HEADER: HeaderSpec = {
  description:
    "`true` when this answer is the stored answer of an earlier request with the same `Idempotency-Key`",
}

/** Added by the framework to every operation: a bug of ours, whose cause is logged and never sent. */
export const INTERNAL_ERROR: ErrorSpec = {
  description: "An unexpected failure on the server's side (a bug); the cause is logged, never sent",
  codes: ["INTERNAL_ERROR"],
}
