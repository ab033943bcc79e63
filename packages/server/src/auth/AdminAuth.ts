import { Context, Effect, Layer, Redacted } from "effect"
import {
  createRemoteJWKSet,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from "jose"
import { type AdminActor, adminOf } from "./adminClaims.js"
import {
  AdminAuthMisconfigured,
  type AdminAuthUnavailable,
  type AdminForbidden,
  AdminUnauthorized,
  type UnauthorizedReason,
} from "./errors.js"
import { joseFailure } from "./joseFailure.js"

export { type AdminActor, auditActor } from "./adminClaims.js"

/** Verifies the bearer token of an admin request. */
export interface AdminAuth {
  /** The admin behind `Authorization: Bearer <jwt>`, or why the request is refused. */
  readonly verify: (
    authorizationHeader: string | undefined,
  ) => Effect.Effect<AdminActor, AdminUnauthorized | AdminForbidden | AdminAuthUnavailable>
}

export const AdminAuth = Context.GenericTag<AdminAuth>("@settle/server/AdminAuth")

/** `iss` and `aud` the token must carry, when set, and how long it may live. */
export interface TokenExpectations {
  readonly issuer?: string
  readonly audience?: string
  /** The longest `exp − iat` accepted, in seconds (default 12 h): a stolen token is not a lasting credential. */
  readonly maxLifetimeSeconds?: number
}

/** ADMIN_TOKEN_MAX_LIFETIME_MINUTES' default: a working day. */
export const DEFAULT_MAX_LIFETIME_SECONDS = 12 * 60 * 60

export type AdminAuthConfig =
  /** Tokens signed with HS256 by whoever holds the shared secret (at least 32 bytes). */
  | ({ readonly _tag: "Secret"; readonly secret: string | Redacted.Redacted<string> } & TokenExpectations)
  /** Tokens signed with RS256 or ES256 by an identity provider publishing its keys at `url`. */
  | ({
      readonly _tag: "Jwks"
      readonly url: string
      /** Give up on a JWKS fetch after this long (default 5 s). */
      readonly timeoutMs?: number
      /** An unknown `kid` refetches the JWKS at most this often (default 30 s), so forged kids cannot flood the provider. */
      readonly cooldownMs?: number
    } & TokenExpectations)

/** Pinned per mode: an HS256 token checked against a JWKS would verify with the *public* key as its secret. */
const SECRET_ALGORITHMS = ["HS256"]
const JWKS_ALGORITHMS = ["RS256", "ES256"]

/** Replicas' and identity providers' clocks drift; 30 s absorbs that without stretching a token's life. */
const CLOCK_TOLERANCE_SECONDS = 30

/** Headers are capped by Node at 16 KiB anyway; a token this large is not one we issued. */
const MAX_TOKEN_LENGTH = 8192

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"])

/** The shared secret, or the JWKS resolver picking the provider's key by `kid`. */
type Key = Uint8Array | JWTVerifyGetKey

const misconfigured = (message: string) => Effect.fail(new AdminAuthMisconfigured({ message }))

const keyOf = (config: AdminAuthConfig): Effect.Effect<Key, AdminAuthMisconfigured> => {
  if (config._tag === "Secret") {
    const secret = new TextEncoder().encode(
      Redacted.isRedacted(config.secret) ? Redacted.value(config.secret) : config.secret,
    )
    // RFC 7518 §3.2: an HS256 key must be at least as long as the hash output.
    if (secret.byteLength < 32)
      return misconfigured(
        `the admin JWT secret must be at least 32 bytes for HS256 (got ${secret.byteLength})`,
      )
    return Effect.succeed(secret)
  }
  const url = URL.canParse(config.url) ? new URL(config.url) : null
  if (url === null) return misconfigured(`the admin JWKS url is not a url: ${config.url}`)
  // Keys fetched in clear text could be swapped in transit; plain http only for a provider on this machine.
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname)))
    return misconfigured(`the admin JWKS url must be https: ${config.url}`)
  return Effect.succeed(
    createRemoteJWKSet(url, {
      timeoutDuration: config.timeoutMs ?? 5_000,
      cooldownDuration: config.cooldownMs ?? 30_000,
    }),
  )
}

const refuse = (reason: UnauthorizedReason, message: string) =>
  Effect.fail(new AdminUnauthorized({ reason, message }))

/**
 * What jose leaves unchecked: a token minted with a long life (exp − iat past the maximum), and one
 * claiming to be issued later than now beyond the clock tolerance, which would be usable from now on
 * for longer than its exp − iat says. jose has already required `exp` and `iat`.
 */
const checkLifetime =
  (maxLifetimeSeconds: number) =>
  (payload: JWTPayload): Effect.Effect<JWTPayload, AdminUnauthorized> => {
    const { iat, exp } = payload
    if (typeof iat !== "number" || typeof exp !== "number")
      return refuse("invalid_claims", 'the token\'s "iat" and "exp" claims must be numbers')
    if (iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS)
      return refuse("not_yet_valid", "the token was issued in the future")
    if (exp - iat > maxLifetimeSeconds)
      return refuse(
        "invalid_claims",
        `the token lives longer than the ${maxLifetimeSeconds} seconds admin tokens may (exp - iat)`,
      )
    return Effect.succeed(payload)
  }

/** The token of `Bearer <token>`; the scheme is case-insensitive (RFC 7235 §2.1). */
const bearerToken = (header: string | undefined): Effect.Effect<string, AdminUnauthorized> => {
  if (header === undefined || header.trim() === "")
    return refuse("missing", "an admin bearer token is required")
  const match = /^Bearer +(\S+)$/i.exec(header.trim())
  if (match === null) return refuse("malformed_header", "the Authorization header must be `Bearer <token>`")
  const token = match[1]!
  if (token.length > MAX_TOKEN_LENGTH) return refuse("malformed_token", "the token is too long")
  return Effect.succeed(token)
}

/** A verifier for `config`; fails when the config cannot verify anything safely. */
export const make = (config: AdminAuthConfig): Effect.Effect<AdminAuth, AdminAuthMisconfigured> =>
  Effect.gen(function* () {
    for (const [name, value] of [
      ["issuer", config.issuer],
      ["audience", config.audience],
    ] as const) {
      if (value !== undefined && value.trim() === "") yield* misconfigured(`the admin JWT ${name} is blank`)
    }
    const key = yield* keyOf(config)
    const maxLifetimeSeconds = config.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS
    if (!Number.isInteger(maxLifetimeSeconds) || maxLifetimeSeconds <= 0)
      yield* misconfigured(`the admin token maximum lifetime must be a positive number of seconds`)
    const options: JWTVerifyOptions = {
      algorithms: config._tag === "Secret" ? SECRET_ALGORITHMS : JWKS_ALGORITHMS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      // A token without `exp` would be an admin credential forever; without `iat` its lifetime is unknown.
      requiredClaims: ["exp", "iat", "sub"],
      ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
      ...(config.audience === undefined ? {} : { audience: config.audience }),
    }
    const verifyToken = (token: string) =>
      Effect.tryPromise({ try: () => jwtVerify(token, key, options), catch: joseFailure })
    return AdminAuth.of({
      verify: (header) =>
        Effect.flatMap(bearerToken(header), verifyToken).pipe(
          Effect.flatMap(({ payload }) => checkLifetime(maxLifetimeSeconds)(payload)),
          Effect.flatMap(adminOf),
        ),
    })
  })

export const layer = (config: AdminAuthConfig): Layer.Layer<AdminAuth, AdminAuthMisconfigured> =>
  Layer.effect(AdminAuth, make(config))
