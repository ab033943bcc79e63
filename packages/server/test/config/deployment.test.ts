import { describe, expect, it } from "vitest"
import { load, problemsOf, production, secrets } from "./support.js"

const mongoOnly = { MONGO_URI: secrets.mongoUri, PAYMENTS: "sandbox", ADMIN_JWT_SECRET: secrets.jwtSecret }
const stripeOnly = {
  STRIPE_SECRET_KEY: secrets.stripeKey,
  STRIPE_WEBHOOK_SECRET: secrets.webhookSecret,
  ADMIN_JWT_SECRET: secrets.jwtSecret,
}

describe("defaults of a deployment (MONGO_URI or STRIPE_SECRET_KEY set)", () => {
  it("listens on every interface, where the embedded default stays on loopback", () => {
    expect(load({}).server.host).toBe("127.0.0.1")
    for (const env of [production, mongoOnly, stripeOnly]) expect(load(env).server.host).toBe("0.0.0.0")
  })

  it("lets HOST decide either way", () => {
    expect(load({ HOST: "0.0.0.0" }).server.host).toBe("0.0.0.0")
    expect(load({ ...production, HOST: "127.0.0.1" }).server.host).toBe("127.0.0.1")
    expect(load({ ...production, HOST: "::" }).server.host).toBe("::")
  })

  it("waits 5 s for the load balancer after SIGTERM, where the embedded default stops at once", () => {
    expect(load({}).server.drainDelayMs).toBe(0)
    for (const env of [production, mongoOnly, stripeOnly]) expect(load(env).server.drainDelayMs).toBe(5_000)
  })

  it("takes DRAIN_DELAY_SECONDS from 0 to 60", () => {
    expect(load({ DRAIN_DELAY_SECONDS: "3" }).server.drainDelayMs).toBe(3_000)
    expect(load({ ...production, DRAIN_DELAY_SECONDS: "0" }).server.drainDelayMs).toBe(0)
    expect(load({ ...production, DRAIN_DELAY_SECONDS: "60" }).server.drainDelayMs).toBe(60_000)
    for (const raw of ["61", "-1", "2.5", "5s", "soon"]) {
      expect(problemsOf({ ...production, DRAIN_DELAY_SECONDS: raw })).toEqual([
        {
          variable: "DRAIN_DELAY_SECONDS",
          message: "DRAIN_DELAY_SECONDS must be a whole number from 0 to 60",
        },
      ])
    }
  })

  it("treats an empty DRAIN_DELAY_SECONDS as unset", () => {
    expect(load({ ...production, DRAIN_DELAY_SECONDS: "" }).server.drainDelayMs).toBe(5_000)
  })
})
