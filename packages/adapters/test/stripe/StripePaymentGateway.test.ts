import {
  money,
  OrderId,
  PaymentGateway,
  PaymentIntentId,
  type RefundRequest,
  SessionId,
  type SessionRequest,
} from "@settle/domain"
import { Effect, Layer } from "effect"
import Stripe from "stripe"
import { describe, expect, it } from "vitest"
import * as StripeClient from "../../src/stripe/StripeClient.js"
import * as StripePaymentGateway from "../../src/stripe/StripePaymentGateway.js"
import { closedPort, failureOf, recordingClient, SECRET_KEY, stripeMockUrl } from "./support.js"

// The PaymentGatewaySuite contract is not run here: stripe-mock is stateless (a repeated idempotency
// key opens a "new" session, any session id reads back the same fixture, an unknown payment intent
// refunds fine), so every case but "opens a session with an id and a url" would fail for stripe-mock's
// sake, not the adapter's. The stateful contract runs against the sandbox; these tests prove what
// stripe-mock can: the parameters Stripe's OpenAPI accepts, the mapping of its answers, the errors.

const config = {
  successUrl: "https://shop.example/paid?session={CHECKOUT_SESSION_ID}",
  cancelUrl: "https://shop.example/cart",
}
const expiresAt = new Date("2030-01-02T03:04:05.678Z")

const aRequest = (overrides: Partial<SessionRequest> = {}): SessionRequest => {
  const orderId = OrderId.make("ord_stripe_1")
  return {
    orderId,
    lineItems: [{ name: "Enamel mug", unitAmount: money(1250, "EUR"), quantity: 2 }],
    amount: money(2500, "EUR"),
    customerEmail: "shopper@example.com",
    expiresAt,
    idempotencyKey: `checkout:${orderId}`,
    ...overrides,
  }
}

const gatewayOn = (apiBaseUrl?: string) =>
  Effect.map(recordingClient(apiBaseUrl), ({ stripe, requests }) => ({
    gateway: StripePaymentGateway.make(stripe, config),
    requests,
  }))

describe("StripePaymentGateway on stripe-mock", () => {
  it("opens a session with the order's parameters under its idempotency key", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const { gateway, requests } = yield* gatewayOn()
        const opened = yield* gateway.openSession(aRequest())
        expect(requests).toHaveLength(1)
        expect(requests[0]).toMatchObject({
          method: "POST",
          path: "/v1/checkout/sessions",
          idempotency_key: "checkout:ord_stripe_1",
          api_version: Stripe.API_VERSION,
        })
        expect(requests[0]?.body).toEqual({
          mode: "payment",
          line_items: [
            {
              quantity: 2,
              price_data: { currency: "eur", unit_amount: 1250, product_data: { name: "Enamel mug" } },
            },
          ],
          customer_email: "shopper@example.com",
          expires_at: Math.floor(expiresAt.getTime() / 1000),
          metadata: { orderId: "ord_stripe_1" },
          client_reference_id: "ord_stripe_1",
          payment_intent_data: { metadata: { orderId: "ord_stripe_1" } },
          success_url: config.successUrl,
          cancel_url: config.cancelUrl,
        })
        // stripe-mock answered 200, so Stripe's OpenAPI accepts every parameter; the ids are its fixtures.
        expect(opened.sessionId).toMatch(/^cs_/)
        expect(opened.url).toMatch(/^https:\/\//)
      }),
    ))

  it("sends a discounted order as one line carrying the total, so amount_total is the amount verified", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const { gateway, requests } = yield* gatewayOn()
        const discounted = aRequest({
          lineItems: [
            { name: "Enamel mug", unitAmount: money(1250, "EUR"), quantity: 2 },
            { name: "Teapot", unitAmount: money(1000, "EUR"), quantity: 1 },
          ],
          amount: money(3150, "EUR"),
        })
        yield* gateway.openSession(discounted)
        expect(requests[0]?.body).toMatchObject({
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: "eur",
                unit_amount: 3150,
                product_data: { name: "Order ord_stripe_1", description: "2 × Enamel mug, 1 × Teapot" },
              },
            },
          ],
        })
      }),
    ))

  it("reads a session by id, and refuses the fixture's null amount_total: nothing to verify a payment by", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const { gateway, requests } = yield* gatewayOn()
        const error = yield* failureOf(gateway.retrieveSession(SessionId.make("cs_test_settle")))
        expect(requests[0]).toMatchObject({ method: "GET", path: "/v1/checkout/sessions/cs_test_settle" })
        expect(error._tag).toBe("PaymentGatewayError")
      }),
    ))

  it("refunds under the idempotency key; Stripe's own reasons go in `reason`, free text in metadata", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const { gateway, requests } = yield* gatewayOn()
        const request: RefundRequest = {
          paymentIntentId: PaymentIntentId.make("pi_settle_1"),
          amount: money(700, "EUR"),
          idempotencyKey: "refund:ord_stripe_1:1",
          reason: "requested_by_customer",
        }
        const refunded = yield* gateway.refund(request)
        yield* gateway.refund({
          ...request,
          idempotencyKey: "refund:ord_stripe_1:2",
          reason: "mug arrived broken",
        })
        expect(refunded.refundId).toMatch(/^re_/)
        expect(refunded.status).toBe("succeeded")
        expect(
          requests.map(({ method, path, idempotency_key, body }) => ({
            method,
            path,
            idempotency_key,
            body,
          })),
        ).toEqual([
          {
            method: "POST",
            path: "/v1/refunds",
            idempotency_key: "refund:ord_stripe_1:1",
            body: {
              payment_intent: "pi_settle_1",
              amount: 700,
              reason: "requested_by_customer",
              metadata: { idempotencyKey: "refund:ord_stripe_1:1", reason: "requested_by_customer" },
            },
          },
          {
            method: "POST",
            path: "/v1/refunds",
            idempotency_key: "refund:ord_stripe_1:2",
            body: {
              payment_intent: "pi_settle_1",
              amount: 700,
              metadata: { idempotencyKey: "refund:ord_stripe_1:2", reason: "mug arrived broken" },
            },
          },
        ])
      }),
    ))

  it("turns a parameter Stripe refuses into PaymentRefused with Stripe's code, keeping the SDK's error", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const { gateway } = yield* gatewayOn()
        // Half a mug adds up to the amount, so it is sent itemized, and Stripe wants whole quantities.
        const halfMug = aRequest({
          lineItems: [{ name: "Enamel mug", unitAmount: money(1000, "EUR"), quantity: 0.5 }],
          amount: money(500, "EUR"),
        })
        const error = yield* failureOf(gateway.openSession(halfMug))
        expect(error).toMatchObject({
          _tag: "PaymentRefused",
          operation: "checkout.sessions.create",
          status: 400,
          code: (error.cause as Stripe.errors.StripeError).code ?? "invalid_request_error",
        })
        expect(error.cause).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
        expect((error.cause as Stripe.errors.StripeError).statusCode).toBe(400)
      }),
    ))

  it("turns an unreachable Stripe into PaymentGatewayError", async () => {
    const port = await closedPort()
    await Effect.runPromise(
      Effect.gen(function* () {
        const { gateway } = yield* gatewayOn(`http://127.0.0.1:${port}`)
        const error = yield* failureOf(gateway.retrieveSession(SessionId.make("cs_test_settle")))
        expect(error._tag).toBe("PaymentGatewayError")
        expect(error.cause).toBeInstanceOf(Stripe.errors.StripeConnectionError)
      }),
    )
  })

  it("is provided as a layer over the StripeClient layer", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const opened = yield* (yield* PaymentGateway).openSession(aRequest())
        expect(opened.sessionId).toMatch(/^cs_/)
      }).pipe(
        Effect.provide(
          StripePaymentGateway.layer(config).pipe(
            Layer.provide(StripeClient.layer({ secretKey: SECRET_KEY, apiBaseUrl: stripeMockUrl() })),
          ),
        ),
      ),
    ))
})
