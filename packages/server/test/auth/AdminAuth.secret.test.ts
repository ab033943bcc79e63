import { Effect, Either, Exit, Redacted } from "effect"
import { generateKeyPair, type JWTPayload, SignJWT } from "jose"
import { describe, expect, it } from "vitest"
import { type AdminAuthConfig, auditActor, make } from "../../src/auth/AdminAuth.js"
import { issueAdminToken } from "../../src/auth/issueAdminToken.js"

const SECRET = "test-secret-that-is-at-least-32-bytes-long"
const ISSUER = "https://auth.shop.example/"
const AUDIENCE = "settle-admin"

const config: AdminAuthConfig = { _tag: "Secret", secret: SECRET, issuer: ISSUER, audience: AUDIENCE }

const verifier = Effect.runSync(make(config))

const verify = (header: string | undefined) => Effect.runPromise(Effect.either(verifier.verify(header)))

const token = (overrides: Partial<Parameters<typeof issueAdminToken>[1]> = {}, secret: string = SECRET) =>
  Effect.runPromise(
    issueAdminToken(secret, {
      subject: "auth0|alice",
      email: "alice@shop.example",
      expiresIn: "5m",
      issuer: ISSUER,
      audience: AUDIENCE,
      ...overrides,
    }),
  )

/** Overrides that drop the default email claim. */
const NO_EMAIL = { claims: { email: undefined } }

const bearer = async (overrides: Partial<Parameters<typeof issueAdminToken>[1]> = {}) =>
  `Bearer ${await token(overrides)}`

/** The `_tag` and `reason` of a refusal, so tests never compare message text. */
const refusal = async (header: string | undefined) => {
  const result = await verify(header)
  if (Either.isRight(result)) throw new Error(`expected a refusal, got ${JSON.stringify(result.right)}`)
  const error = result.left
  return error._tag === "AdminUnauthorized"
    ? { _tag: error._tag, reason: error.reason }
    : { _tag: error._tag }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
const now = () => Math.floor(Date.now() / 1000)

describe("AdminAuth with a shared HS256 secret", () => {
  it("accepts an admin token and names the admin by email", async () => {
    const result = await verify(await bearer())
    expect(result).toEqual(Either.right({ subject: "auth0|alice", email: "alice@shop.example" }))
    expect(auditActor(Either.getOrThrow(result))).toBe("alice@shop.example")
  })

  it.each([
    ["no email", NO_EMAIL],
    ["an email that is not a string", { claims: { email: 42 } }],
    ["an email that is not an address", { email: "alice" }],
  ])("names an admin with %s by subject", async (_name, overrides) => {
    const admin = Either.getOrThrow(await verify(await bearer(overrides)))
    expect(admin).toEqual({ subject: "auth0|alice" })
    expect(auditActor(admin)).toBe("auth0|alice")
  })

  it("accepts the scheme in any case and a roles array containing admin", async () => {
    const jwt = await token({ claims: { role: undefined, roles: ["support", "admin"] } })
    expect(Either.isRight(await verify(`bearer ${jwt}`))).toBe(true)
  })

  it.each([
    ["no header", undefined, "missing"],
    ["an empty header", "", "missing"],
    ["another scheme", "Basic YWxpY2U6c2VjcmV0", "malformed_header"],
    ["Bearer without a token", "Bearer", "malformed_header"],
    ["a token with spaces", "Bearer a b", "malformed_header"],
    ["a token that is not a JWT", "Bearer not-a-jwt", "malformed_token"],
    ["a JWT with garbage segments", "Bearer eyJ.eyJ.sig", "malformed_token"],
    ["an oversized token", `Bearer ${"a".repeat(9000)}`, "malformed_token"],
  ])("refuses %s as unauthorized", async (_name, header, reason) => {
    expect(await refusal(header)).toEqual({ _tag: "AdminUnauthorized", reason })
  })

  it("refuses a token signed with another secret", async () => {
    const forged = await token({}, "another-secret-that-is-also-32-bytes-long")
    expect(await refusal(`Bearer ${forged}`)).toEqual({ _tag: "AdminUnauthorized", reason: "bad_signature" })
  })

  it("refuses a token whose payload was edited after signing", async () => {
    const [header, , signature] = (await token({ claims: { role: "viewer" } })).split(".")
    const edited = b64({ sub: "auth0|mallory", role: "admin", exp: now() + 300, iss: ISSUER, aud: AUDIENCE })
    expect(await refusal(`Bearer ${header}.${edited}.${signature}`)).toEqual({
      _tag: "AdminUnauthorized",
      reason: "bad_signature",
    })
  })

  it("refuses an unsigned token (alg none)", async () => {
    const payload = { sub: "auth0|mallory", role: "admin", exp: now() + 300, iss: ISSUER, aud: AUDIENCE }
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${b64(payload)}.`
    expect(await refusal(`Bearer ${unsigned}`)).toEqual({
      _tag: "AdminUnauthorized",
      reason: "algorithm_not_allowed",
    })
  })

  it("refuses an RS256 token: a shared secret accepts HS256 only", async () => {
    const { privateKey } = await generateKeyPair("RS256")
    const rs256 = await new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg: "RS256" })
      .setSubject("auth0|mallory")
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("5m")
      .sign(privateKey)
    expect(await refusal(`Bearer ${rs256}`)).toEqual({
      _tag: "AdminUnauthorized",
      reason: "algorithm_not_allowed",
    })
  })

  it("refuses an expired token, allowing 30 seconds of clock drift", async () => {
    expect(await refusal(await bearer({ expiresIn: -45 }))).toEqual({
      _tag: "AdminUnauthorized",
      reason: "expired",
    })
    expect(Either.isRight(await verify(await bearer({ expiresIn: -10 })))).toBe(true)
  })

  it("refuses a token not valid yet, allowing 30 seconds of clock drift", async () => {
    expect(await refusal(await bearer({ notBefore: 120 }))).toEqual({
      _tag: "AdminUnauthorized",
      reason: "not_yet_valid",
    })
    expect(Either.isRight(await verify(await bearer({ notBefore: 10 })))).toBe(true)
  })

  it("refuses the wrong issuer and the wrong audience", async () => {
    expect(await refusal(await bearer({ issuer: "https://evil.example/" }))).toEqual({
      _tag: "AdminUnauthorized",
      reason: "wrong_issuer",
    })
    expect(await refusal(await bearer({ audience: "storefront" }))).toEqual({
      _tag: "AdminUnauthorized",
      reason: "wrong_audience",
    })
  })

  it("refuses a token without exp, which would never expire", async () => {
    const payload: JWTPayload = { role: "admin" }
    const forever = await new SignJWT(payload)
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("auth0|alice")
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .sign(new TextEncoder().encode(SECRET))
    expect(await refusal(`Bearer ${forever}`)).toEqual({
      _tag: "AdminUnauthorized",
      reason: "invalid_claims",
    })
  })

  it.each([
    ["no role", { role: undefined }],
    ["another role", { role: "support" }],
    ["a role differing in case", { role: "Admin" }],
    ["roles without admin", { role: undefined, roles: ["support", "billing"] }],
    ["roles as a string", { role: undefined, roles: "admin" }],
  ])("forbids a valid token with %s", async (_name, claims) => {
    expect(await refusal(await bearer({ claims }))).toEqual({ _tag: "AdminForbidden" })
  })

  it("accepts a secret given as a Redacted value", async () => {
    const auth = Effect.runSync(make({ _tag: "Secret", secret: Redacted.make(SECRET) }))
    const admin = await Effect.runPromise(auth.verify(await bearer()))
    expect(admin.subject).toBe("auth0|alice")
  })

  it.each([
    ["a secret under 32 bytes", { _tag: "Secret", secret: "too-short" }],
    ["a blank issuer", { _tag: "Secret", secret: SECRET, issuer: " " }],
  ] as const)("refuses to start with %s", (_name, bad: AdminAuthConfig) => {
    const exit = Effect.runSyncExit(make(bad))
    expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe(
      "AdminAuthMisconfigured",
    )
  })
})
