import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { money, PaymentIntentId } from "@settle/domain"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as StripePaymentGateway from "../../src/stripe/StripePaymentGateway.js"
import { failureOf, recordingClient } from "./support.js"

// stripe-mock answers only what Stripe's OpenAPI validates, never a 402, 429 or 5xx: a loopback peer
// answers the one status and Stripe error body each case needs, through the real SDK and HTTP.
let answer: { status: number; body: unknown } = { status: 500, body: {} }
let server: Server
let url = ""

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume()
    request.on("end", () => {
      response.writeHead(answer.status, { "Content-Type": "application/json", "Request-Id": "req_test" })
      response.end(JSON.stringify(answer.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const stripeError = (type: string, code?: string) => ({
  error: { type, message: `${type} from the test peer`, ...(code === undefined ? {} : { code }) },
})

const refundOn = (status: number, body: unknown) =>
  Effect.gen(function* () {
    answer = { status, body }
    const { stripe } = yield* recordingClient(url)
    const gateway = StripePaymentGateway.make(stripe, {
      successUrl: "https://s/ok",
      cancelUrl: "https://s/no",
    })
    return yield* failureOf(
      gateway.refund({
        paymentIntentId: PaymentIntentId.make("pi_refused"),
        amount: money(100, "EUR"),
        idempotencyKey: "refund:ord_1:1",
        reason: null,
      }),
    )
  })

describe("StripePaymentGateway: refused or unavailable", () => {
  it("a 400 invalid refund is refused, with Stripe's code and status", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const error = yield* refundOn(400, stripeError("invalid_request_error", "charge_already_refunded"))
        expect(error).toMatchObject({
          _tag: "PaymentRefused",
          operation: "refunds.create",
          code: "charge_already_refunded",
          status: 400,
        })
      }),
    ))

  it("a 4xx without a code is refused under Stripe's error type (402 card_error, 401 authentication)", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        expect(yield* refundOn(402, stripeError("card_error"))).toMatchObject({
          _tag: "PaymentRefused",
          code: "card_error",
          status: 402,
        })
        expect(yield* refundOn(401, stripeError("invalid_request_error"))).toMatchObject({
          _tag: "PaymentRefused",
          status: 401,
        })
      }),
    ))

  it("429 (rate limited) and 5xx are unavailable: a retry may pass", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        for (const [status, type] of [
          [429, "rate_limit_error"],
          [500, "api_error"],
          [503, "api_error"],
        ] as const) {
          const error = yield* refundOn(status, stripeError(type, "lock_timeout"))
          expect(error._tag, `HTTP ${status}`).toBe("PaymentGatewayError")
        }
      }),
    ))
})
