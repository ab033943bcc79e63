import { Effect, Redacted } from "effect"
import { type JWTPayload, SignJWT } from "jose"
import { ADMIN_ROLE } from "./adminClaims.js"

export interface AdminTokenRequest {
  readonly subject: string
  readonly email?: string
  /** Lifetime: seconds from now (negative: already expired, for tests) or a jose span such as "1h". */
  readonly expiresIn: number | string
  /** Seconds from now before which the token is not valid yet. */
  readonly notBefore?: number
  readonly issuer?: string
  readonly audience?: string
  /** Claims to add or override (`role`, `roles`, …); the admin role is `role: "admin"` unless replaced. */
  readonly claims?: JWTPayload
}

const fromNow = (seconds: number) => Math.floor(Date.now() / 1000) + seconds

/**
 * An HS256 admin token signed with the shared secret: the embedded default prints one for its generated
 * secret, and tests mint theirs here. Production tokens come from the identity provider.
 */
export const issueAdminToken = (
  secret: string | Redacted.Redacted<string>,
  request: AdminTokenRequest,
): Effect.Effect<string> => {
  const key = new TextEncoder().encode(Redacted.isRedacted(secret) ? Redacted.value(secret) : secret)
  const jwt = new SignJWT({
    role: ADMIN_ROLE,
    ...(request.email === undefined ? {} : { email: request.email }),
    ...request.claims,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(request.subject)
    .setIssuedAt()
    .setExpirationTime(typeof request.expiresIn === "number" ? fromNow(request.expiresIn) : request.expiresIn)
  if (request.notBefore !== undefined) jwt.setNotBefore(fromNow(request.notBefore))
  if (request.issuer !== undefined) jwt.setIssuer(request.issuer)
  if (request.audience !== undefined) jwt.setAudience(request.audience)
  // Signing with a byte key only fails on a programming error (an unparseable span): a defect.
  return Effect.promise(() => jwt.sign(key))
}
