import { money, OrderId, PaymentIntentId, SessionId, type SessionRequest } from "@settle/domain"
import { Effect, Either } from "effect"
import Stripe from "stripe"
import { describe, expect, it } from "vitest"
import * as StripeClient from "../../src/stripe/StripeClient.js"
import { lineItemsFor, toSessionState } from "../../src/stripe/StripePaymentGateway.js"
import { failureOf, recordingClient } from "./support.js"

/**
 * stripe-mock's checkout.session fixture has no amount or currency (it cannot know them), so the
 * mapping is shown on that fixture with the fields Stripe fills for a real payment-mode session.
 */
const fixtureSession = (expand: ReadonlyArray<string>) =>
  Effect.flatMap(recordingClient(), ({ stripe }) =>
    Effect.promise(() => stripe.checkout.sessions.retrieve("cs_test_settle", { expand: [...expand] })),
  )

const asPaidOrder = (session: object) => ({
  ...session,
  id: "cs_test_settle",
  amount_total: 4200,
  currency: "eur",
  metadata: { orderId: "ord_42", unrelated: "kept by Stripe, ignored by Settle" },
  client_reference_id: "ord_42",
})

describe("toSessionState", () => {
  it("maps Stripe's session to the reconciler's view: upper-case currency, payment intent id", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const session = yield* fixtureSession([])
        expect(typeof session.payment_intent).toBe("string")
        const state = yield* toSessionState({
          ...asPaidOrder(session),
          status: "complete",
          payment_status: "paid",
        })
        expect(state).toEqual({
          sessionId: SessionId.make("cs_test_settle"),
          status: "complete",
          paymentStatus: "paid",
          paymentIntentId: PaymentIntentId.make(String(session.payment_intent)),
          amount: money(4200, "EUR"),
          orderId: OrderId.make("ord_42"),
        })
      }),
    ))

  it("takes the id of an expanded payment intent", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const session = yield* fixtureSession(["payment_intent"])
        const intent = session.payment_intent
        expect(typeof intent).toBe("object")
        const state = yield* toSessionState(asPaidOrder(session))
        expect(state.paymentIntentId).toBe(typeof intent === "object" && intent !== null ? intent.id : "?")
      }),
    ))

  it("reads the order from the client reference when the metadata has none, and an open session as unpaid", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const session = yield* fixtureSession([])
        const state = yield* toSessionState({ ...asPaidOrder(session), metadata: {}, payment_intent: null })
        expect(state).toMatchObject({
          status: "open",
          paymentStatus: "unpaid",
          paymentIntentId: null,
          orderId: "ord_42",
        })
      }),
    ))

  it("refuses a session without a currency as PaymentGatewayError", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const session = yield* fixtureSession([])
        const error = yield* failureOf(toSessionState({ ...asPaidOrder(session), currency: null }))
        expect(error._tag).toBe("PaymentGatewayError")
      }),
    ))
})

describe("lineItemsFor", () => {
  const request = (lineItems: SessionRequest["lineItems"], total: number): SessionRequest => ({
    orderId: OrderId.make("ord_lines"),
    lineItems,
    amount: money(total, "EUR"),
    customerEmail: "shopper@example.com",
    expiresAt: new Date(),
    idempotencyKey: "checkout:ord_lines",
  })
  const totalOf = (lines: ReturnType<typeof lineItemsFor>) =>
    lines.reduce((sum, line) => sum + (line.price_data?.unit_amount ?? 0) * (line.quantity ?? 0), 0)

  it("keeps the items when they add up to the amount", () => {
    const lines = lineItemsFor(request([{ name: "Mug", unitAmount: money(300, "EUR"), quantity: 3 }], 900))
    expect(lines).toHaveLength(1)
    expect(lines[0]?.price_data?.product_data?.name).toBe("Mug")
  })

  it("sends one line with the amount when Stripe's line limit of 100 would be passed", () => {
    const many = Array.from({ length: 101 }, (_, i) => ({
      name: `Item ${i}`,
      unitAmount: money(1, "EUR"),
      quantity: 1,
    }))
    const lines = lineItemsFor(request(many, 101))
    expect(lines).toHaveLength(1)
    expect(totalOf(lines)).toBe(101)
  })

  it("sends one line with the amount when an item is priced in another currency", () => {
    const lines = lineItemsFor(request([{ name: "Mug", unitAmount: money(900, "USD"), quantity: 1 }], 900))
    expect(lines[0]?.price_data).toMatchObject({ currency: "eur", unit_amount: 900 })
  })
})

describe("StripeClient configuration", () => {
  it("points the SDK at an http origin, port 80 by default, API version pinned, telemetry off", () => {
    expect(StripeClient.sdkConfig({ secretKey: "sk_test_x", apiBaseUrl: "http://localhost" })).toEqual(
      Either.right({
        host: "localhost",
        port: 80,
        protocol: "http",
        apiVersion: Stripe.API_VERSION,
        telemetry: false,
      }),
    )
  })

  it("talks to api.stripe.com when no base url is given", () => {
    expect(StripeClient.sdkConfig({ secretKey: "sk_test_x", timeoutMs: 5000, maxNetworkRetries: 3 })).toEqual(
      Either.right({ apiVersion: Stripe.API_VERSION, telemetry: false, timeout: 5000, maxNetworkRetries: 3 }),
    )
  })

  it.each(["not a url", "ftp://127.0.0.1:12111", "http://127.0.0.1:12111/v1", "http://user:pw@127.0.0.1"])(
    "refuses %s as the api base url",
    async (apiBaseUrl) => {
      const error = await Effect.runPromise(
        failureOf(StripeClient.make({ secretKey: "sk_test_x", apiBaseUrl })),
      )
      expect(error._tag).toBe("PaymentGatewayError")
    },
  )

  it("refuses a fractional timeout, which the SDK would silently replace by its 80 s default", async () => {
    const error = await Effect.runPromise(
      failureOf(StripeClient.make({ secretKey: "sk_test_x", timeoutMs: 1.5 })),
    )
    expect(error._tag).toBe("PaymentGatewayError")
  })

  it("refuses an empty secret key instead of throwing", async () => {
    const error = await Effect.runPromise(failureOf(StripeClient.make({ secretKey: "" })))
    expect(error._tag).toBe("PaymentGatewayError")
  })
})
