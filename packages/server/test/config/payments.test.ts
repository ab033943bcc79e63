import { describe, expect, it } from "vitest"
import { load, problemsOf, production, secrets } from "./support.js"

const mongo = { MONGO_URI: secrets.mongoUri, ADMIN_JWT_SECRET: secrets.jwtSecret }
const stripe = { STRIPE_SECRET_KEY: secrets.stripeKey, STRIPE_WEBHOOK_SECRET: secrets.webhookSecret }

describe("PAYMENTS: the sandbox gateway only on the embedded default or by name", () => {
  it("runs the sandbox on the embedded default, and Stripe once a key is set", () => {
    expect(load({}).payments._tag).toBe("Sandbox")
    expect(load({ ...stripe, ADMIN_JWT_SECRET: secrets.jwtSecret }).payments._tag).toBe("Stripe")
    expect(load(production).payments._tag).toBe("Stripe")
  })

  it("refuses MONGO_URI without STRIPE_SECRET_KEY, naming the key and PAYMENTS=sandbox", () => {
    expect(problemsOf(mongo)).toEqual([
      {
        variable: "STRIPE_SECRET_KEY",
        message:
          "STRIPE_SECRET_KEY is required once MONGO_URI is set; copy it from Stripe Dashboard → Developers → API keys (or PAYMENTS=sandbox for an offline test deployment)",
      },
    ])
  })

  it("runs the sandbox on MongoDB when asked for by name, and says so", () => {
    for (const value of ["sandbox", "SANDBOX"]) {
      const config = load({ ...mongo, PAYMENTS: value })
      expect([config.storage._tag, config.payments._tag]).toEqual(["Mongo", "Sandbox"])
      expect(config.notices.join("\n")).toContain("PAYMENTS=sandbox: payments go through the sandbox gateway")
    }
  })

  it("requires a key with PAYMENTS=stripe, even without MONGO_URI", () => {
    expect(problemsOf({ PAYMENTS: "stripe" })).toEqual([
      {
        variable: "STRIPE_SECRET_KEY",
        message:
          "STRIPE_SECRET_KEY is required with PAYMENTS=stripe; copy it from Stripe Dashboard → Developers → API keys",
      },
    ])
    expect(load({ ...production, PAYMENTS: "stripe" }).payments._tag).toBe("Stripe")
  })

  it("refuses PAYMENTS=sandbox beside a key, and any other value, by name", () => {
    expect(problemsOf({ ...production, PAYMENTS: "sandbox" }).map((problem) => problem.variable)).toEqual([
      "PAYMENTS",
    ])
    expect(problemsOf({ PAYMENTS: "paypal" })).toEqual([
      { variable: "PAYMENTS", message: "PAYMENTS must be one of stripe, sandbox" },
    ])
  })
})

describe("ALLOW_NON_ATOMIC_STORE", () => {
  it("is off unless set to true, and carried on the Mongo storage", () => {
    expect(load(production).storage).toMatchObject({ _tag: "Mongo", allowNonAtomicStore: false })
    expect(load({ ...production, ALLOW_NON_ATOMIC_STORE: "true" }).storage).toMatchObject({
      allowNonAtomicStore: true,
    })
    expect(load({ ...production, ALLOW_NON_ATOMIC_STORE: "false" }).storage).toMatchObject({
      allowNonAtomicStore: false,
    })
  })

  it("is refused by name with a value other than true or false, or without MONGO_URI", () => {
    expect(problemsOf({ ...production, ALLOW_NON_ATOMIC_STORE: "yes" })).toEqual([
      { variable: "ALLOW_NON_ATOMIC_STORE", message: "ALLOW_NON_ATOMIC_STORE must be one of true, false" },
    ])
    expect(problemsOf({ ALLOW_NON_ATOMIC_STORE: "true" }).map((problem) => problem.variable)).toEqual([
      "ALLOW_NON_ATOMIC_STORE",
    ])
  })
})
