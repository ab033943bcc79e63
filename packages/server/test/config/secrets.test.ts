import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { expectNoLeak, problemsOf, production, secrets } from "./support.js"

const messagesFor = (variable: string, value: string) =>
  problemsOf({ ...production, [variable]: value })
    .filter((problem) => problem.variable === variable)
    .map((problem) => problem.message)

describe("secret hygiene", () => {
  it("reports a trailing line break by name", () => {
    expect(messagesFor("STRIPE_WEBHOOK_SECRET", `${secrets.webhookSecret}\n`)).toEqual([
      "STRIPE_WEBHOOK_SECRET has trailing whitespace or a line break; remove it",
    ])
    expectNoLeak(
      { ...production, STRIPE_WEBHOOK_SECRET: `${secrets.webhookSecret}\n` },
      secrets.webhookSecret,
    )
  })

  it("reports a trailing space, leading whitespace and quotes by name", () => {
    expect(messagesFor("STRIPE_SECRET_KEY", `${secrets.stripeKey} `)).toEqual([
      "STRIPE_SECRET_KEY has trailing whitespace or a line break; remove it",
    ])
    expect(messagesFor("ADMIN_JWT_SECRET", `\t${secrets.jwtSecret}`)).toEqual([
      "ADMIN_JWT_SECRET has leading whitespace or a line break; remove it",
    ])
    expect(messagesFor("ADMIN_JWT_SECRET", `'${secrets.jwtSecret}'`)).toEqual([
      "ADMIN_JWT_SECRET is wrapped in quotes; remove them",
    ])
  })

  it("reports each flaw of one value", () => {
    expect(messagesFor("STRIPE_WEBHOOK_SECRET", ` "${secrets.webhookSecret}"\r\n`)).toEqual([
      "STRIPE_WEBHOOK_SECRET has leading whitespace or a line break; remove it",
      "STRIPE_WEBHOOK_SECRET has trailing whitespace or a line break; remove it",
      "STRIPE_WEBHOOK_SECRET is wrapped in quotes; remove them",
    ])
  })

  it("reports a line break inside a pasted secret", () => {
    const broken = `${secrets.jwtSecret.slice(0, 20)}\n${secrets.jwtSecret.slice(20)}`
    expect(messagesFor("ADMIN_JWT_SECRET", broken)).toEqual([
      "ADMIN_JWT_SECRET has whitespace or a line break inside; paste it again as one line",
    ])
  })

  it.each([
    ["STRIPE_SECRET_KEY", "CHANGE_ME", "CHANGE_ME…"],
    ["STRIPE_WEBHOOK_SECRET", "whsec_xxxxxxxx", "xxx"],
    ["ADMIN_JWT_SECRET", "<your admin jwt secret>", "<…>"],
    ["STRIPE_SECRET_KEY", "your_stripe_secret_key", "your_…"],
    ["CLOUDINARY_API_SECRET", "changeme", "CHANGE_ME…"],
    ["MONGO_URI", "mongodb+srv://your_user:pw@cluster0.example.net", "your_…"],
    ["STRIPE_WEBHOOK_SECRET", "$" + "{STRIPE_WEBHOOK_SECRET}", "$" + "{…}"],
  ])("reports %s=%s as a placeholder", (variable, value, marker) => {
    const messages = messagesFor(variable, value)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain(`${variable} still holds a placeholder (${marker})`)
  })

  it("covers the Cloudinary credentials of runbook scenario 7", () => {
    const problems = problemsOf({
      CLOUDINARY_CLOUD_NAME: "settle-shop ",
      CLOUDINARY_API_KEY: "123456789012345\n",
      CLOUDINARY_API_SECRET: '"AbCdEfGhIjKlMnOpQrStUvWxYz0"',
    })
    expect(problems.map((problem) => problem.variable)).toEqual([
      "CLOUDINARY_CLOUD_NAME",
      "CLOUDINARY_API_KEY",
      "CLOUDINARY_API_SECRET",
    ])
    expectNoLeak({ CLOUDINARY_API_SECRET: '"AbCdEfGhIjKlMnOpQrStUvWxYz0"' }, "AbCdEfGhIjKlMnOpQrStUvWxYz0")
  })

  it("never echoes a flawed secret, whatever the variable and the flaw", () => {
    const variables = [
      "MONGO_URI",
      "STRIPE_SECRET_KEY",
      "STRIPE_WEBHOOK_SECRET",
      "ADMIN_JWT_SECRET",
      "CLOUDINARY_API_SECRET",
    ]
    const flaws = [
      (s: string) => `${s}\n`,
      (s: string) => ` ${s}`,
      (s: string) => `"${s}"`,
      (s: string) => `'${s}' `,
    ]
    fc.assert(
      fc.property(
        fc.constantFrom(...variables),
        fc.stringMatching(/^[A-Za-z0-9]{16,40}$/),
        fc.constantFrom(...flaws),
        (variable, secret, flaw) => {
          const env = { ...production, [variable]: flaw(secret) }
          expect(problemsOf(env).some((problem) => problem.variable === variable)).toBe(true)
          expectNoLeak(env, secret)
        },
      ),
      { numRuns: 200 },
    )
  })
})
