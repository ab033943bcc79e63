import { Effect, Either, Exit } from "effect"
import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  type AdminAuthConfig,
  DEFAULT_MAX_LIFETIME_SECONDS,
  type TokenExpectations as Expectations,
  make,
} from "../../src/auth/AdminAuth.js"
import { issueAdminToken } from "../../src/auth/issueAdminToken.js"
import { demoAdminToken } from "../../src/bootstrap/demoAdminToken.js"
import { adminPlan } from "../../src/bootstrap/settings.js"
import { loadConfig } from "../../src/config/index.js"
import { ADMIN_SECRET, call, errorOf, startTestServer } from "../support/server.js"
import { type JwksServer, startJwksServer } from "./jwksServer.js"

const SECRET = "test-secret-that-is-at-least-32-bytes-long"
const HOUR = 3600
const now = () => Math.floor(Date.now() / 1000)

interface Claims {
  readonly iat?: number
  readonly exp?: number
}

let rsa: { privateKey: CryptoKey; jwk: Record<string, unknown> }
let idp: JwksServer

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true })
  rsa = { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" } }
  idp = await startJwksServer({ keys: [rsa.jwk] })
})

afterAll(() => idp.close())

/** A token with exactly the `iat` and `exp` given (absent: left out), for either mode. */
const modes = {
  secret: {
    config: (extra: Expectations = {}): AdminAuthConfig => ({ _tag: "Secret", secret: SECRET, ...extra }),
    mint: (claims: Claims) =>
      new SignJWT({ role: "admin", ...claims } as JWTPayload)
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("ops")
        .sign(new TextEncoder().encode(SECRET)),
  },
  jwks: {
    config: (extra: Expectations = {}): AdminAuthConfig => ({ _tag: "Jwks", url: idp.url, ...extra }),
    mint: (claims: Claims) =>
      new SignJWT({ role: "admin", ...claims } as JWTPayload)
        .setProtectedHeader({ alg: "RS256", kid: "rsa-1" })
        .setSubject("ops")
        .sign(rsa.privateKey),
  },
} as const

const outcome = async (config: AdminAuthConfig, jwt: string) => {
  const auth = Effect.runSync(make(config))
  const result = await Effect.runPromise(Effect.either(auth.verify(`Bearer ${jwt}`)))
  if (Either.isRight(result)) return "accepted"
  const error = result.left
  return error._tag === "AdminUnauthorized" ? error.reason : error._tag
}

describe.each(Object.entries(modes))("admin token lifetime (%s mode)", (_, mode) => {
  it("accepts a token living exactly the maximum, refuses one living a second longer", async () => {
    const iat = now()
    const config = mode.config({ maxLifetimeSeconds: 2 * HOUR })
    expect(await outcome(config, await mode.mint({ iat, exp: iat + 2 * HOUR }))).toBe("accepted")
    expect(await outcome(config, await mode.mint({ iat, exp: iat + 2 * HOUR + 1 }))).toBe("invalid_claims")
  })

  it("defaults to 12 hours", async () => {
    expect(DEFAULT_MAX_LIFETIME_SECONDS).toBe(12 * HOUR)
    const iat = now()
    expect(await outcome(mode.config(), await mode.mint({ iat, exp: iat + 12 * HOUR }))).toBe("accepted")
    expect(await outcome(mode.config(), await mode.mint({ iat, exp: iat + 24 * HOUR }))).toBe(
      "invalid_claims",
    )
  })

  it("refuses a token without iat or without exp", async () => {
    expect(await outcome(mode.config(), await mode.mint({ exp: now() + 300 }))).toBe("invalid_claims")
    expect(await outcome(mode.config(), await mode.mint({ iat: now() }))).toBe("invalid_claims")
  })

  it("refuses an iat in the future beyond 30 seconds of clock skew, and takes one within it", async () => {
    const later = now() + 120
    expect(await outcome(mode.config(), await mode.mint({ iat: later, exp: later + 300 }))).toBe(
      "not_yet_valid",
    )
    const skewed = now() + 20
    expect(await outcome(mode.config(), await mode.mint({ iat: skewed, exp: skewed + 300 }))).toBe("accepted")
  })

  it("refuses a maximum that is not a positive whole number of seconds at construction", () => {
    expect(Exit.isFailure(Effect.runSyncExit(make(mode.config({ maxLifetimeSeconds: 0 }))))).toBe(true)
  })
})

describe("ADMIN_TOKEN_MAX_LIFETIME_MINUTES", () => {
  const env = { ADMIN_JWT_SECRET: SECRET }

  it("reaches the verifier, 720 minutes when unset", async () => {
    const configured = (extra: Record<string, string>) =>
      adminPlan(Either.getOrThrow(loadConfig({ ...env, ...extra })))
    expect(configured({}).maxLifetimeSeconds).toBe(12 * HOUR)
    const short = configured({ ADMIN_TOKEN_MAX_LIFETIME_MINUTES: "60" })
    expect(short.maxLifetimeSeconds).toBe(HOUR)
    const iat = now()
    expect(await outcome(short, await modes.secret.mint({ iat, exp: iat + 2 * HOUR }))).toBe("invalid_claims")
  })

  it("refuses a value outside 5 minutes to 7 days", () => {
    for (const value of ["4", "10081", "12h"]) {
      const loaded = loadConfig({ ...env, ADMIN_TOKEN_MAX_LIFETIME_MINUTES: value })
      expect(Either.isLeft(loaded) && loaded.left.problems.map((p) => p.variable)).toEqual([
        "ADMIN_TOKEN_MAX_LIFETIME_MINUTES",
      ])
    }
  })

  it("keeps the tokens Settle itself issues valid: issueAdminToken and the demo token", async () => {
    const issued = await Effect.runPromise(issueAdminToken(SECRET, { subject: "ops", expiresIn: "1h" }))
    expect(await outcome(modes.secret.config(), issued)).toBe("accepted")
    const config = Either.getOrThrow(loadConfig({}))
    const demo = await demoAdminToken(config.admin)
    expect(demo).not.toBeNull()
    expect(await outcome(adminPlan(config), demo as string)).toBe("accepted")
  })
})

describe("a refused token over HTTP", () => {
  it("answers 401 UNAUTHORIZED with a Bearer challenge for a long-lived token and a future iat", async () => {
    const server = await startTestServer()
    const mint = (iat: number, exp: number) =>
      new SignJWT({ role: "admin", iat, exp })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("ops")
        .sign(new TextEncoder().encode(ADMIN_SECRET))
    const iat = now()
    for (const [token, reason] of [
      [await mint(iat, iat + 30 * 24 * HOUR), "invalid_claims"],
      [await mint(iat + HOUR, iat + 2 * HOUR), "not_yet_valid"],
    ] as const) {
      const answer = await call(`${server.url}/api/v1/admin/products`, {
        headers: { Authorization: `Bearer ${token}` },
      })
      expect([answer.status, errorOf(answer).code, errorOf(answer).details.reason]).toEqual([
        401,
        "UNAUTHORIZED",
        reason,
      ])
      expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer .*error="invalid_token"/)
    }
  })
})
