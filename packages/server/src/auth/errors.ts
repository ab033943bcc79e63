import { Schema } from "effect"

/** Why a bearer token was refused; tests and logs read this, never the message text. */
export const UnauthorizedReason = Schema.Literal(
  /** No Authorization header at all. */
  "missing",
  /** A header, but not `Bearer <token>`. */
  "malformed_header",
  /** Not a compact JWS, or its header or payload is not JSON. */
  "malformed_token",
  /** The signature does not verify against the secret or the JWKS key. */
  "bad_signature",
  /** `alg` is not the pinned one: `none`, HS256 against a JWKS, RS256 against a shared secret. */
  "algorithm_not_allowed",
  /** The JWKS has no key for the token's `kid`. */
  "unknown_key",
  /** `exp` has passed (beyond the clock tolerance). */
  "expired",
  /** `nbf` is still ahead (beyond the clock tolerance). */
  "not_yet_valid",
  "wrong_issuer",
  "wrong_audience",
  /** A required claim (`sub`, `exp`) is missing or of the wrong type. */
  "invalid_claims",
)
export type UnauthorizedReason = typeof UnauthorizedReason.Type

/** The caller has not proven who they are: answered 401 with a `WWW-Authenticate: Bearer` challenge. */
export class AdminUnauthorized extends Schema.TaggedError<AdminUnauthorized>()("AdminUnauthorized", {
  reason: UnauthorizedReason,
  message: Schema.String,
}) {}

/** A valid token without the admin role (`role: "admin"` or `roles` containing "admin"): answered 403. */
export class AdminForbidden extends Schema.TaggedError<AdminForbidden>()("AdminForbidden", {
  subject: Schema.String,
  message: Schema.String,
}) {}

/**
 * The token could not be checked because the identity provider's JWKS is unreachable, times out or
 * serves garbage. Our failure, not the caller's: answered 503 so clients retry instead of
 * discarding a token that may well be valid.
 */
export class AdminAuthUnavailable extends Schema.TaggedError<AdminAuthUnavailable>()("AdminAuthUnavailable", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect),
}) {}

/** The verifier's own settings are unusable (short secret, non-https JWKS url): bootstrap fails. */
export class AdminAuthMisconfigured extends Schema.TaggedError<AdminAuthMisconfigured>()(
  "AdminAuthMisconfigured",
  { message: Schema.String },
) {}

// A header value carries visible ASCII only: Node refuses anything else with a 500.
const quoted = (text: string) => `"${text.replaceAll(/["\\]/g, "'").replaceAll(/[^\x20-\x7e]/g, "?")}"`

/**
 * The RFC 6750 challenge for a refused request: no error code when no credentials were sent (§3.1),
 * `invalid_token` for a bad one, `insufficient_scope` for a token without the admin role.
 */
export const bearerChallenge = (
  error: AdminUnauthorized | AdminForbidden,
  realm = "settle-admin",
): string => {
  const base = `Bearer realm=${quoted(realm)}`
  if (error._tag === "AdminForbidden") return `${base}, error="insufficient_scope", scope="admin"`
  if (error.reason === "missing") return base
  return `${base}, error="invalid_token", error_description=${quoted(error.message)}`
}
