import { tmpdir } from "node:os"
import { join } from "node:path"
import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { load, production, secrets } from "./support.js"

describe("loadConfig defaults", () => {
  it("starts the embedded default from an empty environment", () => {
    const config = load({})
    expect(config.server).toEqual({
      host: "127.0.0.1",
      port: 3000,
      publicUrl: null,
      bodyLimitBytes: 262_144,
      drainDelayMs: 0,
      timeouts: { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 },
      cors: { shopOrigins: [], adminOrigins: [] },
      gaugeEveryMs: 5_000,
      metricsToken: null,
    })
    expect(config.logLevel).toBe("info")
    expect(config.storage).toEqual({ _tag: "Memory" })
    expect(config.media).toEqual({
      maxBytes: 10 * 1024 * 1024,
      store: { _tag: "LocalDisk", directory: join(tmpdir(), "settle-media") },
    })
    expect(config.reservationTtlMs).toBe(35 * 60_000)
    expect(config.invoiceMode).toBe("none")
    expect(config.payments._tag).toBe("Sandbox")
    expect(Redacted.value(config.payments.webhookSecret)).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/)
    expect(config.admin).toMatchObject({ _tag: "SharedSecret", generated: true })
    if (config.admin._tag === "SharedSecret") {
      expect(Buffer.byteLength(Redacted.value(config.admin.secret))).toBeGreaterThanOrEqual(32)
    }
    expect(config.notices.join("\n")).toMatch(/Embedded default/)
    expect(config.notices.join("\n")).toMatch(/ADMIN_JWT_SECRET is not set/)
  })

  it("generates different secrets on every start", async () => {
    const { loadConfig } = await import("../../src/config/index.js")
    const [a, b] = [loadConfig({}), loadConfig({})].map((result) =>
      result._tag === "Right" ? Redacted.value(result.right.payments.webhookSecret) : "",
    )
    expect(a).not.toBe(b)
  })

  it("treats an empty variable as unset", () => {
    expect(load({ PORT: "", MONGO_URI: "", STRIPE_SECRET_KEY: "" }).storage).toEqual({ _tag: "Memory" })
  })

  it("leaves the public URL to the bound address unless PUBLIC_URL says otherwise", () => {
    expect(load({ HOST: "0.0.0.0", PORT: "0" }).server).toMatchObject({ port: 0, publicUrl: null })
    expect(load({ PUBLIC_URL: "https://shop.example.com/" }).server.publicUrl).toBe(
      "https://shop.example.com",
    )
  })

  it("assembles a production configuration", () => {
    const config = load({
      ...production,
      PORT: "10000",
      HOST: "0.0.0.0",
      LOG_LEVEL: "DEBUG",
      RESERVATION_TTL_MINUTES: "45",
      INVOICE_MODE: "stripe",
      ADMIN_JWT_ISSUER: "https://auth.example.com/",
      STRIPE_API_BASE_URL: "http://127.0.0.1:12111",
    })
    expect(config.storage).toMatchObject({ _tag: "Mongo", dbName: "shop" })
    expect(config.payments).toMatchObject({
      _tag: "Stripe",
      livemode: false,
      apiBaseUrl: "http://127.0.0.1:12111",
    })
    expect(config.admin).toMatchObject({
      _tag: "SharedSecret",
      generated: false,
      issuer: "https://auth.example.com/",
    })
    expect(config.admin).not.toHaveProperty("audience")
    expect(config.logLevel).toBe("debug")
    expect(config.reservationTtlMs).toBe(45 * 60_000)
    expect(config.invoiceMode).toBe("stripe")
    // Only the media store is left on this machine's disk, and a deployment must hear it.
    expect(config.notices).toEqual([
      expect.stringMatching(/^CLOUDINARY_CLOUD_NAME, .* are not set: uploaded images/),
    ])
  })

  it("names the database from MONGO_DB_NAME, else the URI's path, else settle", () => {
    expect(load({ ...production, MONGO_DB_NAME: "orders" }).storage).toMatchObject({ dbName: "orders" })
    expect(load({ ...production, MONGO_URI: "mongodb://127.0.0.1:27017" }).storage).toMatchObject({
      dbName: "settle",
    })
    expect(load({ ...production, MONGO_URI: "mongodb://127.0.0.1:27017/?w=1" }).storage).toMatchObject({
      dbName: "settle",
    })
  })

  it("accepts JWKS admin auth instead of a shared secret", () => {
    const { ADMIN_JWT_SECRET: _, ...rest } = production
    expect(
      load({
        ...rest,
        ADMIN_JWKS_URL: "https://auth.example.com/.well-known/jwks.json",
        ADMIN_JWT_AUDIENCE: "settle",
      }).admin,
    ).toEqual({
      _tag: "Jwks",
      url: "https://auth.example.com/.well-known/jwks.json",
      audience: "settle",
      maxLifetimeSeconds: 12 * 60 * 60,
    })
  })

  it("configures Cloudinary when all three variables are set", () => {
    const media = load({
      CLOUDINARY_CLOUD_NAME: "settle-shop",
      CLOUDINARY_API_KEY: "123456789012345",
      CLOUDINARY_API_SECRET: "AbCdEfGhIjKlMnOpQrStUvWxYz0",
    }).media
    expect(media.store).toMatchObject({ _tag: "Cloudinary", cloudName: "settle-shop", folder: "settle" })
  })

  it("keeps secrets out of logs and JSON", () => {
    const config = load(production)
    const printed = `${JSON.stringify(config)} ${String(config.payments._tag === "Stripe" ? config.payments.secretKey : "")}`
    for (const secret of Object.values(secrets)) expect(printed).not.toContain(secret)
  })
})
