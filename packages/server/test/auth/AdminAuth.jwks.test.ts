import { Effect, Either, Exit } from "effect"
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from "jose"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { type AdminAuth, type AdminAuthConfig, make } from "../../src/auth/AdminAuth.js"
import { type JwksServer, startJwksServer } from "./jwksServer.js"

const ISSUER = "https://idp.shop.example/"
const AUDIENCE = "settle-admin"

interface SigningKey {
  readonly kid: string
  readonly alg: "RS256" | "ES256"
  readonly privateKey: CryptoKey
  readonly publicKey: CryptoKey
  readonly jwk: JWK
}

const signingKey = async (kid: string, alg: "RS256" | "ES256"): Promise<SigningKey> => {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { kid, alg, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } }
}

let rsa: SigningKey
let ec: SigningKey
let stranger: SigningKey
let idp: JwksServer

beforeAll(async () => {
  rsa = await signingKey("rsa-1", "RS256")
  ec = await signingKey("ec-1", "ES256")
  stranger = await signingKey("rsa-1", "RS256")
  idp = await startJwksServer({ keys: [rsa.jwk, ec.jwk] })
})

afterAll(() => idp.close())
afterEach(() => idp.setMode("ok"))

interface Minted {
  readonly key?: SigningKey
  readonly kid?: string
  readonly claims?: Record<string, unknown>
  readonly issuer?: string
  readonly expiresIn?: number
}

const mint = (options: Minted = {}) => {
  const key = options.key ?? rsa
  return new SignJWT({ role: "admin", email: "ops@shop.example", ...options.claims })
    .setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid })
    .setSubject("idp|ops")
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresIn ?? 300))
    .sign(key.privateKey)
}

const jwksConfig = (url: string, extra: Partial<Extract<AdminAuthConfig, { _tag: "Jwks" }>> = {}) =>
  ({ _tag: "Jwks", url, issuer: ISSUER, audience: AUDIENCE, ...extra }) as const

const verifierAt = (url: string, extra: Partial<Extract<AdminAuthConfig, { _tag: "Jwks" }>> = {}) =>
  Effect.runSync(make(jwksConfig(url, extra)))

const outcome = async (auth: AdminAuth, jwt: string) => {
  const result = await Effect.runPromise(Effect.either(auth.verify(`Bearer ${jwt}`)))
  if (Either.isRight(result)) return result.right
  const error = result.left
  return error._tag === "AdminUnauthorized"
    ? { _tag: error._tag, reason: error.reason }
    : { _tag: error._tag }
}

describe("AdminAuth with an identity provider's JWKS", () => {
  it("accepts RS256 and ES256 admin tokens signed by the provider's keys", async () => {
    const auth = verifierAt(idp.url)
    const admin = { subject: "idp|ops", email: "ops@shop.example" }
    expect(await outcome(auth, await mint())).toEqual(admin)
    expect(await outcome(auth, await mint({ key: ec }))).toEqual(admin)
  })

  it("fetches the key set once and serves later tokens from its cache", async () => {
    const auth = verifierAt(idp.url)
    const before = idp.fetches()
    await outcome(auth, await mint())
    await outcome(auth, await mint({ key: ec }))
    expect(idp.fetches() - before).toBe(1)
  })

  it("refuses a token signed by a key the provider does not publish", async () => {
    const auth = verifierAt(idp.url)
    expect(await outcome(auth, await mint({ key: stranger }))).toEqual({
      _tag: "AdminUnauthorized",
      reason: "bad_signature",
    })
    expect(await outcome(auth, await mint({ key: stranger, kid: "rsa-9" }))).toEqual({
      _tag: "AdminUnauthorized",
      reason: "unknown_key",
    })
  })

  it("refuses an HS256 token signed with the provider's public key material", async () => {
    const auth = verifierAt(idp.url)
    const header = { alg: "HS256", kid: rsa.kid }
    const encoder = new TextEncoder()
    for (const material of [await exportSPKI(rsa.publicKey), JSON.stringify(rsa.jwk), rsa.jwk.n ?? ""]) {
      const confused = await new SignJWT({ role: "admin" })
        .setProtectedHeader(header)
        .setSubject("idp|mallory")
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime("5m")
        .sign(encoder.encode(material))
      expect(await outcome(auth, confused)).toEqual({
        _tag: "AdminUnauthorized",
        reason: "algorithm_not_allowed",
      })
    }
  })

  it("refuses an unsigned token (alg none)", async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
    const claims = {
      sub: "idp|mallory",
      role: "admin",
      iss: ISSUER,
      aud: AUDIENCE,
      exp: Date.now() / 1000 + 300,
    }
    expect(
      await outcome(verifierAt(idp.url), `${b64({ alg: "none", kid: rsa.kid })}.${b64(claims)}.`),
    ).toEqual({
      _tag: "AdminUnauthorized",
      reason: "algorithm_not_allowed",
    })
  })

  it("refuses expired tokens and other issuers, and forbids non-admins", async () => {
    const auth = verifierAt(idp.url)
    expect(await outcome(auth, await mint({ expiresIn: -60 }))).toEqual({
      _tag: "AdminUnauthorized",
      reason: "expired",
    })
    expect(await outcome(auth, await mint({ issuer: "https://other.example/" }))).toEqual({
      _tag: "AdminUnauthorized",
      reason: "wrong_issuer",
    })
    expect(await outcome(auth, await mint({ claims: { role: "support" } }))).toEqual({
      _tag: "AdminForbidden",
    })
    const roles = await mint({ claims: { role: undefined, roles: ["admin"] } })
    expect(await outcome(auth, roles)).toMatchObject({ subject: "idp|ops" })
  })

  it.each([
    ["answers 500", "error"],
    ["serves something that is not JSON", "garbage"],
    ["does not answer within the timeout", "hang"],
  ] as const)("is unavailable, not a refusal, when the provider %s", async (_name, mode) => {
    idp.setMode(mode)
    const auth = verifierAt(idp.url, { timeoutMs: 200 })
    expect(await outcome(auth, await mint())).toEqual({ _tag: "AdminAuthUnavailable" })
  })

  it("is unavailable when nothing listens at the JWKS url", async () => {
    const gone = await startJwksServer({ keys: [rsa.jwk] })
    await gone.close()
    expect(await outcome(verifierAt(gone.url), await mint())).toEqual({ _tag: "AdminAuthUnavailable" })
  })

  it("refuses the token, without fetching, when the header is not a bearer token", async () => {
    const auth = verifierAt(idp.url)
    const before = idp.fetches()
    const result = await Effect.runPromise(Effect.either(auth.verify("Basic b3BzOnB3")))
    expect(Either.isLeft(result) && result.left._tag).toBe("AdminUnauthorized")
    expect(idp.fetches()).toBe(before)
  })

  it.each([
    ["plain http to another host", "http://idp.shop.example/.well-known/jwks.json"],
    ["something that is not a url", "idp.shop.example"],
  ])("refuses to start with %s", (_name, url) => {
    const exit = Effect.runSyncExit(make(jwksConfig(url)))
    expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe(
      "AdminAuthMisconfigured",
    )
  })
})
