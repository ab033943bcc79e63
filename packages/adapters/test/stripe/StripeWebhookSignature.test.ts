import { Effect, Layer } from "effect"
import Stripe from "stripe"
import { describe, expect, it } from "vitest"
import * as StripeClient from "../../src/stripe/StripeClient.js"
import * as StripeWebhookEvents from "../../src/stripe/StripeWebhookEvents.js"
import { verifyAndDecode } from "../../src/stripe/StripeWebhookEvents.js"
import { failureOf, SECRET_KEY, WEBHOOK_SECRET } from "./support.js"
import { checkoutSession, event, signed } from "./webhookPayloads.js"

const stripe = new Stripe(SECRET_KEY)
const body = event("checkout.session.completed", checkoutSession())

const tagOf = (rawBody: Uint8Array | string, header: string | undefined, toleranceSeconds?: number) =>
  Effect.runPromise(
    Effect.match(verifyAndDecode(stripe, rawBody, header, WEBHOOK_SECRET, toleranceSeconds), {
      onFailure: (error) => error._tag,
      onSuccess: (decoded) => decoded._tag,
    }),
  )

describe("verifyAndDecode: the Stripe-Signature header", () => {
  it("accepts a fresh signature over the raw bytes, as a string or a Buffer", async () => {
    const { payload, header } = signed(stripe, body)
    expect(await tagOf(payload, header)).toBe("PaymentSucceeded")
    expect(await tagOf(Buffer.from(payload, "utf8"), header)).toBe("PaymentSucceeded")
  })

  it.each([
    ["missing", undefined],
    ["empty (Koa's answer for a missing header)", ""],
    ["garbled", "this is not a signature"],
    ["without a v1 signature", `t=${Math.floor(Date.now() / 1000)}`],
    ["with a non-numeric timestamp", "t=soon,v1=00ff"],
  ])("refuses a %s header as WebhookSignatureInvalid", async (_, header) => {
    const { payload } = signed(stripe, body)
    expect(await tagOf(payload, header)).toBe("WebhookSignatureInvalid")
  })

  it("refuses a signature made with another secret", async () => {
    const { payload, header } = signed(stripe, body, { secret: "whsec_someone_else" })
    expect(await tagOf(payload, header)).toBe("WebhookSignatureInvalid")
  })

  it("refuses a body with one byte changed", async () => {
    const { payload, header } = signed(stripe, body)
    const tampered = Buffer.from(payload, "utf8")
    const at = payload.indexOf("2700")
    tampered[at] = "9".charCodeAt(0)
    expect(await tagOf(tampered, header)).toBe("WebhookSignatureInvalid")
  })

  it("refuses a re-serialized body: the signature covers Stripe's exact bytes", async () => {
    const { payload, header } = signed(stripe, body)
    expect(await tagOf(JSON.stringify(JSON.parse(payload)), header)).toBe("WebhookSignatureInvalid")
  })

  it("refuses a signature older than the 300 s tolerance, accepts one just inside it", async () => {
    const stale = signed(stripe, body, { ageSeconds: 301 })
    expect(await tagOf(stale.payload, stale.header)).toBe("WebhookSignatureInvalid")
    const recent = signed(stripe, body, { ageSeconds: 290 })
    expect(await tagOf(recent.payload, recent.header)).toBe("PaymentSucceeded")
  })

  it("refuses a timestamp further in the future than the tolerance, which the SDK alone would accept", async () => {
    const future = signed(stripe, body, { ageSeconds: -301 })
    expect(() =>
      stripe.webhooks.constructEvent(future.payload, future.header, WEBHOOK_SECRET, 300),
    ).not.toThrow()
    expect(await tagOf(future.payload, future.header)).toBe("WebhookSignatureInvalid")
    const skewed = signed(stripe, body, { ageSeconds: -30 })
    expect(await tagOf(skewed.payload, skewed.header)).toBe("PaymentSucceeded")
  })

  it("uses the tolerance it is given", async () => {
    const minuteOld = signed(stripe, body, { ageSeconds: 120 })
    expect(await tagOf(minuteOld.payload, minuteOld.header, 60)).toBe("WebhookSignatureInvalid")
    expect(await tagOf(minuteOld.payload, minuteOld.header, 600)).toBe("PaymentSucceeded")
  })

  it("is a service over the StripeClient layer, with the endpoint's secret", async () => {
    const { payload, header } = signed(stripe, body)
    const program = Effect.gen(function* () {
      const webhooks = yield* StripeWebhookEvents.StripeWebhookEvents
      expect((yield* webhooks.decode(payload, header))._tag).toBe("PaymentSucceeded")
      const wrong = yield* failureOf(webhooks.decode(payload, header.replace("v1=", "v1=0")))
      expect(wrong._tag).toBe("WebhookSignatureInvalid")
    })
    const layer = StripeWebhookEvents.layer({ webhookSecret: WEBHOOK_SECRET }).pipe(
      Layer.provide(StripeClient.layer({ secretKey: SECRET_KEY })),
    )
    await Effect.runPromise(Effect.provide(program, layer))
  })
})
