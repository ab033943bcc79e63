import { describe, expect, it } from "vitest"
import { expectNoLeak, load, problemsOf, production, secrets } from "./support.js"

const variables = (env: Readonly<Record<string, string | undefined>>) =>
  problemsOf(env).map((problem) => problem.variable)

describe("config shapes and cross-variable rules", () => {
  it("requires STRIPE_WEBHOOK_SECRET with STRIPE_SECRET_KEY", () => {
    const { STRIPE_WEBHOOK_SECRET: _, ...env } = production
    const [problem, ...more] = problemsOf(env)
    expect(more).toEqual([])
    expect(problem?.variable).toBe("STRIPE_WEBHOOK_SECRET")
    expect(problem?.message).toMatch(/^STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set/)
  })

  it("refuses a webhook secret without whsec_", () => {
    const env = { ...production, STRIPE_WEBHOOK_SECRET: "Zm9vYmFyYmF6cXV4cXV1eGNvcmdl" }
    expect(problemsOf(env)).toEqual([
      {
        variable: "STRIPE_WEBHOOK_SECRET",
        message: expect.stringMatching(/^STRIPE_WEBHOOK_SECRET must start with whsec_/),
      },
    ])
    expectNoLeak(env, "Zm9vYmFyYmF6cXV4cXV1eGNvcmdl")
  })

  it("refuses a publishable key given as the secret key", () => {
    const publishable = ["pk", "test", "51HxYzAbCdEfGhIjKlMnOpQr"].join("_")
    const env = { ...production, STRIPE_SECRET_KEY: publishable }
    expect(problemsOf(env)).toEqual([
      {
        variable: "STRIPE_SECRET_KEY",
        message: expect.stringMatching(/^STRIPE_SECRET_KEY holds a publishable key \(pk_…\)/),
      },
    ])
    expectNoLeak(env, publishable)
  })

  it("spots the two Stripe secrets swapped", () => {
    const problems = problemsOf({
      ...production,
      STRIPE_SECRET_KEY: secrets.webhookSecret,
      STRIPE_WEBHOOK_SECRET: secrets.stripeKey,
    })
    expect(problems.map((problem) => problem.variable)).toEqual([
      "STRIPE_SECRET_KEY",
      "STRIPE_WEBHOOK_SECRET",
    ])
    expect(problems[0]?.message).toMatch(/belongs in STRIPE_WEBHOOK_SECRET/)
    expect(problems[1]?.message).toMatch(/holds an API key/)
  })

  it("accepts restricted keys and tells live from test mode", () => {
    const restricted = ["rk", "live", "51HxYzAbCd"].join("_")
    expect(load({ ...production, STRIPE_SECRET_KEY: restricted }).payments).toMatchObject({
      _tag: "Stripe",
      livemode: true,
    })
  })

  it("names PORT when it is not a number", () => {
    expect(problemsOf({ PORT: "http" })).toEqual([
      { variable: "PORT", message: "PORT must be a whole number from 0 to 65535" },
    ])
    expect(variables({ PORT: "70000" })).toEqual(["PORT"])
    expect(variables({ PORT: "30.5" })).toEqual(["PORT"])
  })

  it("bounds the reservation TTL to what Stripe accepts for a Checkout Session", () => {
    expect(problemsOf({ RESERVATION_TTL_MINUTES: "15" })[0]?.message).toMatch(
      /from 31 to 1440 \(Stripe refuses/,
    )
    expect(variables({ RESERVATION_TTL_MINUTES: "30" })).toEqual(["RESERVATION_TTL_MINUTES"])
    expect(variables({ RESERVATION_TTL_MINUTES: "1441" })).toEqual(["RESERVATION_TTL_MINUTES"])
  })

  it("refuses unknown log levels and invoice modes", () => {
    expect(variables({ LOG_LEVEL: "verbose", INVOICE_MODE: "email" })).toEqual(["LOG_LEVEL", "INVOICE_MODE"])
  })

  it("refuses a short HS256 secret, saying how long it was", () => {
    expect(problemsOf({ ADMIN_JWT_SECRET: "short-secret" })[0]?.message).toMatch(
      /^ADMIN_JWT_SECRET must be at least 32 bytes for HS256 \(got 12\)/,
    )
  })

  it("refuses a JWKS URL over plain http beyond loopback", () => {
    expect(variables({ ADMIN_JWKS_URL: "http://auth.example.com/jwks.json" })).toEqual(["ADMIN_JWKS_URL"])
    expect(
      variables({
        ADMIN_JWKS_URL: "https://auth.example.com/jwks.json",
        ADMIN_JWT_SECRET: secrets.jwtSecret,
      }),
    ).toEqual(["ADMIN_JWKS_URL"])
  })

  it("requires admin auth outside the embedded default", () => {
    const { ADMIN_JWT_SECRET: _, ...env } = production
    expect(variables(env)).toEqual(["ADMIN_JWT_SECRET"])
  })

  it("requires durable storage with a live key", () => {
    const problems = problemsOf({
      STRIPE_SECRET_KEY: secrets.liveKey,
      STRIPE_WEBHOOK_SECRET: secrets.webhookSecret,
      ADMIN_JWT_SECRET: secrets.jwtSecret,
    })
    expect(problems.map((problem) => problem.variable)).toEqual(["MONGO_URI"])
  })

  it("requires all three Cloudinary variables together", () => {
    expect(variables({ CLOUDINARY_CLOUD_NAME: "settle-shop" })).toEqual([
      "CLOUDINARY_API_KEY",
      "CLOUDINARY_API_SECRET",
    ])
    expect(
      variables({
        ...production,
        CLOUDINARY_API_KEY: "AbCdEfGhIjKlMnOpQrStUvWxYz0",
        CLOUDINARY_CLOUD_NAME: "x",
        CLOUDINARY_API_SECRET: "y",
      }),
    ).toEqual(["CLOUDINARY_API_KEY"])
  })

  it("reports several problems together, in variable order", () => {
    const problems = problemsOf({
      PORT: "eighty",
      MONGO_URI: "CHANGE_ME_MONGO_URI",
      STRIPE_SECRET_KEY: `${secrets.stripeKey}\n`,
      ADMIN_JWT_SECRET: "<jwt secret>",
    })
    expect(problems.map((problem) => problem.variable)).toEqual([
      "PORT",
      "MONGO_URI",
      "STRIPE_SECRET_KEY",
      "STRIPE_WEBHOOK_SECRET",
      "ADMIN_JWT_SECRET",
    ])
  })

  it("lists every problem in the error's message", async () => {
    const { loadConfig } = await import("../../src/config/index.js")
    const result = loadConfig({ PORT: "x", LOG_LEVEL: "loud" })
    expect(result._tag === "Left" && result.left.message).toBe(
      [
        "invalid configuration (2 problems):",
        "  - PORT must be a whole number from 0 to 65535",
        "  - LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent",
      ].join("\n"),
    )
    expect(result._tag === "Left" && result.left._tag).toBe("ConfigError")
  })
})
