import { money, type PaymentEvent } from "@settle/domain"
import { Effect, Either } from "effect"
import Stripe from "stripe"
import { describe, expect, it } from "vitest"
import { verifyAndDecode } from "../../src/stripe/StripeWebhookEvents.js"
import { closedPort, failureOf, recordingClient, SECRET_KEY, WEBHOOK_SECRET } from "./support.js"
import {
  checkoutSession,
  event,
  failedPaymentIntent,
  refund,
  refundedCharge,
  signed,
} from "./webhookPayloads.js"

const offline = new Stripe(SECRET_KEY)

const decode = (body: unknown, stripe: Stripe = offline) => {
  const { payload, header } = signed(stripe, body)
  return verifyAndDecode(stripe, payload, header, WEBHOOK_SECRET)
}
const decoded = (body: unknown, stripe: Stripe = offline): Promise<PaymentEvent> =>
  Effect.runPromise(decode(body, stripe))
const failure = (body: unknown) => Effect.runPromise(failureOf(decode(body)))

const common = { eventId: "evt_1Qabc" }

describe("verifyAndDecode: Stripe events as the domain's PaymentEvent", () => {
  it("checkout.session.completed and paid is PaymentSucceeded, with Stripe's currency in upper case", async () => {
    expect(await decoded(event("checkout.session.completed", checkoutSession()))).toEqual({
      _tag: "PaymentSucceeded",
      ...common,
      type: "checkout.session.completed",
      sessionId: "cs_test_a1b2c3",
      orderId: "ord_123",
      paymentIntentId: "pi_3Qabc",
      amount: money(2700, "EUR"),
    })
  })

  it("takes the order from client_reference_id without metadata, and the id of an expanded payment intent", async () => {
    const session = checkoutSession({
      metadata: {},
      payment_intent: { id: "pi_3Qexp", object: "payment_intent" },
    })
    expect(await decoded(event("checkout.session.completed", session))).toMatchObject({
      orderId: "ord_123",
      paymentIntentId: "pi_3Qexp",
    })
  })

  it("completed with no_payment_required is PaymentSucceeded; completed unpaid is PaymentPending", async () => {
    const free = checkoutSession({ payment_status: "no_payment_required" })
    expect((await decoded(event("checkout.session.completed", free)))._tag).toBe("PaymentSucceeded")
    const unpaid = checkoutSession({ payment_status: "unpaid", amount_total: null })
    expect(await decoded(event("checkout.session.completed", unpaid))).toEqual({
      _tag: "PaymentPending",
      ...common,
      type: "checkout.session.completed",
      sessionId: "cs_test_a1b2c3",
      orderId: "ord_123",
    })
  })

  it("async_payment_succeeded is PaymentSucceeded; async_payment_failed is PaymentFailed", async () => {
    const succeeded = await decoded(event("checkout.session.async_payment_succeeded", checkoutSession()))
    expect(succeeded).toMatchObject({
      _tag: "PaymentSucceeded",
      type: "checkout.session.async_payment_succeeded",
    })
    const unpaid = checkoutSession({ payment_status: "unpaid" })
    expect(await decoded(event("checkout.session.async_payment_failed", unpaid))).toEqual({
      _tag: "PaymentFailed",
      ...common,
      type: "checkout.session.async_payment_failed",
      sessionId: "cs_test_a1b2c3",
      paymentIntentId: "pi_3Qabc",
      orderId: "ord_123",
      reason: "async_payment_failed",
    })
  })

  it("checkout.session.expired is SessionExpired", async () => {
    const expired = checkoutSession({ status: "expired", payment_status: "unpaid", payment_intent: null })
    expect(await decoded(event("checkout.session.expired", expired))).toEqual({
      _tag: "SessionExpired",
      ...common,
      type: "checkout.session.expired",
      sessionId: "cs_test_a1b2c3",
      orderId: "ord_123",
    })
  })

  it("payment_intent.payment_failed is PaymentFailed without a session, for the reason Stripe gives", async () => {
    expect(await decoded(event("payment_intent.payment_failed", failedPaymentIntent()))).toEqual({
      _tag: "PaymentFailed",
      ...common,
      type: "payment_intent.payment_failed",
      sessionId: null,
      paymentIntentId: "pi_3Qfail",
      orderId: "ord_123",
      reason: "Your card has insufficient funds.",
    })
    const codeOnly = failedPaymentIntent({ metadata: {}, last_payment_error: { code: "expired_card" } })
    expect(await decoded(event("payment_intent.payment_failed", codeOnly))).toMatchObject({
      orderId: null,
      reason: "expired_card",
    })
  })

  it("charge.refunded with embedded refunds (API versions before 2022-11-15) lists the refunds that moved money, oldest first", async () => {
    const refunds = {
      object: "list",
      data: [refund("re_3", 300, "failed"), refund("re_2", 200), refund("re_1", 100)],
      has_more: false,
    }
    expect(await decoded(event("charge.refunded", refundedCharge({ refunds }), "2022-08-01"))).toEqual({
      _tag: "ChargeRefunded",
      ...common,
      type: "charge.refunded",
      paymentIntentId: "pi_3Qabc",
      refunds: [
        { refundId: "re_1", amount: money(100, "EUR") },
        { refundId: "re_2", amount: money(200, "EUR") },
      ],
    })
  })

  it("charge.refunded without refunds (current API versions) asks Stripe for the payment intent's refunds", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const { stripe, requests } = yield* recordingClient()
        const decodedEvent = yield* decode(event("charge.refunded", refundedCharge()), stripe)
        expect(requests).toMatchObject([
          { method: "GET", path: "/v1/refunds?payment_intent=pi_3Qabc&limit=100" },
        ])
        // stripe-mock answers its fixture list; the event reports exactly what Stripe listed.
        const listed = yield* Effect.promise(() => stripe.refunds.list({ payment_intent: "pi_3Qabc" }))
        expect(decodedEvent).toMatchObject({
          _tag: "ChargeRefunded",
          paymentIntentId: "pi_3Qabc",
          refunds: listed.data.map((r) => ({
            refundId: r.id,
            amount: money(r.amount, r.currency.toUpperCase()),
          })),
        })
      }),
    ))

  it("charge.refunded while Stripe is unreachable is PaymentGatewayError, so Stripe redelivers", async () => {
    const port = await closedPort()
    const error = await Effect.runPromise(
      Effect.flatMap(recordingClient(`http://127.0.0.1:${port}`), ({ stripe }) =>
        failureOf(decode(event("charge.refunded", refundedCharge()), stripe)),
      ),
    )
    expect(error._tag).toBe("PaymentGatewayError")
  })

  it.each([
    ["an unknown type", event("customer.created", { id: "cus_1", object: "customer" })],
    [
      "a subscription-mode session",
      event("checkout.session.completed", checkoutSession({ mode: "subscription", payment_intent: null })),
    ],
    ["a charge without a payment intent", event("charge.refunded", refundedCharge({ payment_intent: null }))],
  ])("%s is Unrecognized, recorded and acknowledged", async (_, body) => {
    expect(await decoded(body)).toEqual({ _tag: "Unrecognized", ...common, type: body.type })
  })

  it.each([
    ["data.object.amount_total", checkoutSession({ amount_total: null })],
    ["data.object.currency", checkoutSession({ currency: "EUR" })],
    ["data.object.payment_intent", checkoutSession({ payment_intent: null })],
    ["data.object.metadata.orderId", checkoutSession({ metadata: { orderId: { $gt: "" } } })],
    ["data.object.id", checkoutSession({ id: "" })],
    ["data.object.object", failedPaymentIntent()],
  ])("a known type whose object is malformed is InvalidInput naming %s", async (field, object) => {
    const error = await failure(event("checkout.session.completed", object))
    expect(error).toMatchObject({ _tag: "InvalidInput", field })
  })

  it("an envelope without an id, or a signed body that is not JSON, is InvalidInput", async () => {
    const { id: _, ...withoutId } = event("customer.created", {})
    expect(await failure(withoutId)).toMatchObject({ _tag: "InvalidInput", field: "id" })
    const header = offline.webhooks.generateTestHeaderString({ payload: "not json", secret: WEBHOOK_SECRET })
    const notJson = await Effect.runPromise(
      Effect.either(verifyAndDecode(offline, "not json", header, WEBHOOK_SECRET)),
    )
    expect(Either.isLeft(notJson) && notJson.left).toMatchObject({ _tag: "InvalidInput", field: "(root)" })
  })
})
