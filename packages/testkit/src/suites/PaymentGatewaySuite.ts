import {
  money,
  OrderId,
  PaymentGateway,
  PaymentIntentId,
  SessionId,
  type SessionRequest,
} from "@settle/domain"
import { Effect, type Layer } from "effect"
import { describe, expect, it } from "vitest"
import { failureTag, runInLayer } from "./runInLayer.js"

export interface PaymentGatewaySuiteOptions<R> {
  /**
   * Have the customer pay an open session (the sandbox's control, a Stripe test card…); enables the
   * cases that need a captured payment. Without it they are skipped.
   */
  readonly pay?: (sessionId: SessionId) => Effect.Effect<void, unknown, PaymentGateway | R>
}

/**
 * The PaymentGateway contract: only what the port promises, so a Stripe adapter in test mode must
 * pass it too. Ids carry a per-run nonce because Stripe remembers idempotency keys for 24 hours.
 */
export const suite = <R, E>(
  name: string,
  layer: Layer.Layer<PaymentGateway | R, E>,
  options: PaymentGatewaySuiteOptions<R> = {},
): void => {
  const run = runInLayer(layer)
  const nonce = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
  let orders = 0
  const aRequest = (amount = 2500): SessionRequest => {
    const orderId = OrderId.make(`ord_${nonce}_${++orders}`)
    return {
      orderId,
      lineItems: [{ name: "Enamel mug", unitAmount: money(amount, "EUR"), quantity: 1 }],
      amount: money(amount, "EUR"),
      customerEmail: "shopper@example.com",
      expiresAt: new Date(Date.now() + 60 * 60_000),
      idempotencyKey: `checkout:${orderId}`,
    }
  }
  /** A session paid by the customer, and the payment intent the provider reports for it. */
  const paidSession = (amount: number) =>
    Effect.gen(function* () {
      const gateway = yield* PaymentGateway
      const { sessionId } = yield* gateway.openSession(aRequest(amount))
      yield* (options.pay ?? (() => Effect.void))(sessionId)
      const state = yield* gateway.retrieveSession(sessionId)
      if (state.paymentIntentId === null)
        return yield* Effect.dieMessage("a paid session has no payment intent")
      return { sessionId, state, paymentIntentId: state.paymentIntentId }
    })
  const withPayment = options.pay === undefined ? it.skip : it

  describe(name, () => {
    it("opens a session with an id and a url to send the customer to", () =>
      run(
        Effect.gen(function* () {
          const opened = yield* (yield* PaymentGateway).openSession(aRequest())
          expect(opened.sessionId.length).toBeGreaterThan(0)
          expect(opened.url.length).toBeGreaterThan(0)
        }),
      ))

    it("opens one session per idempotency key: a retried checkout gets the same session", () =>
      run(
        Effect.gen(function* () {
          const gateway = yield* PaymentGateway
          const request = aRequest()
          const first = yield* gateway.openSession(request)
          const again = yield* gateway.openSession(request)
          expect(again.sessionId).toBe(first.sessionId)
        }),
      ))

    it("opens distinct sessions for distinct orders", () =>
      run(
        Effect.gen(function* () {
          const gateway = yield* PaymentGateway
          const a = yield* gateway.openSession(aRequest())
          const b = yield* gateway.openSession(aRequest())
          expect(a.sessionId).not.toBe(b.sessionId)
        }),
      ))

    it("reports a new session as open and unpaid, for the requested order and amount", () =>
      run(
        Effect.gen(function* () {
          const gateway = yield* PaymentGateway
          const request = aRequest(4200)
          const { sessionId } = yield* gateway.openSession(request)
          expect(yield* gateway.retrieveSession(sessionId)).toEqual({
            sessionId,
            status: "open",
            paymentStatus: "unpaid",
            paymentIntentId: null,
            amount: request.amount,
            orderId: request.orderId,
          })
        }),
      ))

    it("refuses an unknown session with PaymentRefused (Stripe answered: no retry cures it)", () =>
      run(
        Effect.gen(function* () {
          const gateway = yield* PaymentGateway
          const unknown = SessionId.make(`cs_unknown_${nonce}`)
          expect(yield* failureTag(gateway.retrieveSession(unknown))).toBe("PaymentRefused")
        }),
      ))

    it("refuses a refund of an unknown payment with PaymentRefused", () =>
      run(
        Effect.gen(function* () {
          const gateway = yield* PaymentGateway
          const refund = gateway.refund({
            paymentIntentId: PaymentIntentId.make(`pi_unknown_${nonce}`),
            amount: money(100, "EUR"),
            idempotencyKey: `refund:${nonce}:unknown`,
            reason: null,
          })
          const refused = yield* Effect.flip(refund)
          expect(refused._tag).toBe("PaymentRefused")
          // The provider's own code travels with the refusal, for the operator and the API's answer.
          expect(refused._tag === "PaymentRefused" ? refused.code : "").not.toBe("")
        }),
      ))

    withPayment("reports a paid session as complete and paid, with its payment intent", () =>
      run(
        Effect.gen(function* () {
          const { state } = yield* paidSession(3100)
          expect(state.status).toBe("complete")
          expect(state.paymentStatus).toBe("paid")
          expect(state.amount).toEqual(money(3100, "EUR"))
        }),
      ),
    )

    withPayment("refunds once per idempotency key: a repeated request returns the first refund", () =>
      run(
        Effect.gen(function* () {
          const gateway = yield* PaymentGateway
          const { paymentIntentId } = yield* paidSession(3000)
          const request = {
            paymentIntentId,
            amount: money(1000, "EUR"),
            idempotencyKey: `refund:${nonce}:1`,
            reason: null,
          }
          const first = yield* gateway.refund(request)
          const again = yield* gateway.refund(request)
          expect(first.refundId.length).toBeGreaterThan(0)
          expect(again.refundId).toBe(first.refundId)
          // Had the repeat refunded again, only 1000 would be left and this would be refused.
          const rest = { ...request, amount: money(2000, "EUR"), idempotencyKey: `refund:${nonce}:2` }
          const second = yield* gateway.refund(rest)
          expect(second.refundId).not.toBe(first.refundId)
        }),
      ),
    )

    withPayment("refuses a refund beyond what is left of the captured amount", () =>
      run(
        Effect.gen(function* () {
          const gateway = yield* PaymentGateway
          const { paymentIntentId } = yield* paidSession(2000)
          const refund = (amount: number, n: number) =>
            gateway.refund({
              paymentIntentId,
              amount: money(amount, "EUR"),
              idempotencyKey: `refund:${nonce}:${n}`,
              reason: null,
            })
          expect(yield* failureTag(refund(2001, 1))).toBe("PaymentRefused")
          yield* refund(1500, 2)
          expect(yield* failureTag(refund(501, 3))).toBe("PaymentRefused")
          expect(yield* failureTag(refund(500, 4))).toBe("succeeded")
          expect(yield* failureTag(refund(1, 5))).toBe("PaymentRefused")
        }),
      ),
    )
  })
}
