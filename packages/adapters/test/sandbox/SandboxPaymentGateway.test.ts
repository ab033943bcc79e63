import {
  money,
  OrderId,
  PaymentEvent,
  PaymentGateway,
  PaymentIntentId,
  type SessionId,
  type SessionRequest,
} from "@settle/domain"
import { PaymentGatewaySuite } from "@settle/testkit/suites"
import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { SandboxControl, SandboxPaymentGateway } from "../../src/sandbox/index.js"

PaymentGatewaySuite.suite("SandboxPaymentGateway", SandboxPaymentGateway.layer, {
  pay: (sessionId) => Effect.flatMap(SandboxControl, (control) => Effect.orDie(control.pay(sessionId))),
})

const isEvent = Schema.is(PaymentEvent)
const expiresAt = new Date("2030-01-01T00:30:00.000Z")
const request = (orderId: string, amount = 3000): SessionRequest => ({
  orderId: OrderId.make(orderId),
  lineItems: [{ name: "Enamel mug", unitAmount: money(amount, "EUR"), quantity: 1 }],
  amount: money(amount, "EUR"),
  customerEmail: "shopper@example.com",
  expiresAt,
  idempotencyKey: `checkout:${orderId}`,
})
const open = (orderId: string, amount?: number) =>
  Effect.flatMap(PaymentGateway, (gateway) => gateway.openSession(request(orderId, amount)))
const state = (sessionId: SessionId) =>
  Effect.flatMap(PaymentGateway, (gateway) => gateway.retrieveSession(sessionId))
const run = <A, E>(program: Effect.Effect<A, E, PaymentGateway | SandboxControl>) =>
  Effect.runPromise(Effect.provide(program, SandboxPaymentGateway.layer))

describe("SandboxControl", () => {
  it("pays a session and returns the checkout.session.completed event Stripe would send", () =>
    run(
      Effect.gen(function* () {
        const { sessionId } = yield* open("ord_1")
        const event = yield* (yield* SandboxControl).pay(sessionId)
        expect(isEvent(event)).toBe(true)
        expect(event).toMatchObject({
          _tag: "PaymentSucceeded",
          type: "checkout.session.completed",
          sessionId,
          orderId: "ord_1",
          amount: money(3000, "EUR"),
        })
        expect(event.eventId).toMatch(/^evt_/)
        expect(yield* state(sessionId)).toMatchObject({
          status: "complete",
          paymentStatus: "paid",
          paymentIntentId: event.paymentIntentId,
        })
      }),
    ))

  it("simulates a tampered payment: the event and the session carry the amount actually paid", () =>
    run(
      Effect.gen(function* () {
        const { sessionId } = yield* open("ord_1")
        const event = yield* (yield* SandboxControl).pay(sessionId, { amount: 1, currency: "USD" })
        expect(event.amount).toEqual(money(1, "USD"))
        expect((yield* state(sessionId)).amount).toEqual(money(1, "USD"))
      }),
    ))

  it("refuses to pay twice, or to pay an expired session, and rejects an invalid override", () =>
    run(
      Effect.gen(function* () {
        const control = yield* SandboxControl
        const paid = (yield* open("ord_1")).sessionId
        const expired = (yield* open("ord_2")).sessionId
        yield* control.pay(paid)
        yield* control.expire(expired)
        expect((yield* Effect.flip(control.pay(paid)))._tag).toBe("SandboxRefused")
        expect((yield* Effect.flip(control.pay(expired)))._tag).toBe("SandboxRefused")
        expect((yield* Effect.flip(control.expire(paid)))._tag).toBe("SandboxRefused")
        const third = (yield* open("ord_3")).sessionId
        expect((yield* Effect.flip(control.pay(third, { amount: 1.5 })))._tag).toBe("SandboxRefused")
      }),
    ))

  it("expires sessions, one by one or all that are due", () =>
    run(
      Effect.gen(function* () {
        const control = yield* SandboxControl
        const a = (yield* open("ord_1")).sessionId
        const b = (yield* open("ord_2")).sessionId
        const event = yield* control.expire(a)
        expect(event).toMatchObject({
          _tag: "SessionExpired",
          type: "checkout.session.expired",
          sessionId: a,
          orderId: "ord_1",
        })
        expect(yield* control.expireDue(new Date(expiresAt.getTime() - 1))).toEqual([])
        const due = yield* control.expireDue(expiresAt)
        expect(due.map((e) => e.sessionId)).toEqual([b])
        expect(due.every(isEvent)).toBe(true)
        expect((yield* state(b)).status).toBe("expired")
      }),
    ))

  it("walks a delayed payment: pending, then settled or failed", () =>
    run(
      Effect.gen(function* () {
        const control = yield* SandboxControl
        const settled = (yield* open("ord_1")).sessionId
        const pending = yield* control.payLater(settled)
        expect(pending).toMatchObject({ _tag: "PaymentPending", type: "checkout.session.completed" })
        expect(yield* state(settled)).toMatchObject({ status: "complete", paymentStatus: "unpaid" })
        const success = yield* control.pay(settled)
        expect(success.type).toBe("checkout.session.async_payment_succeeded")

        const failing = (yield* open("ord_2")).sessionId
        const failed = yield* control.failAsync(failing)
        expect(isEvent(failed)).toBe(true)
        expect(failed).toMatchObject({
          _tag: "PaymentFailed",
          type: "checkout.session.async_payment_failed",
          sessionId: failing,
        })
        expect((yield* Effect.flip(control.pay(failing)))._tag).toBe("SandboxRefused")
      }),
    ))

  it("reports cumulative refunds in charge.refunded, dashboard refunds included", () =>
    run(
      Effect.gen(function* () {
        const gateway = yield* PaymentGateway
        const control = yield* SandboxControl
        const { paymentIntentId } = yield* control.pay((yield* open("ord_1")).sessionId)
        expect((yield* Effect.flip(control.refundEvent(paymentIntentId)))._tag).toBe("SandboxRefused")
        const ours = yield* gateway.refund({
          paymentIntentId,
          amount: money(1000, "EUR"),
          idempotencyKey: "refund:ord_1:1",
          reason: null,
        })
        const theirs = yield* control.refundOutside(paymentIntentId, money(500, "EUR"))
        const event = yield* control.refundEvent(paymentIntentId)
        expect(isEvent(event)).toBe(true)
        expect(event).toMatchObject({ _tag: "ChargeRefunded", type: "charge.refunded", paymentIntentId })
        expect(event.refunds).toEqual([
          { refundId: ours.refundId, amount: money(1000, "EUR") },
          { refundId: theirs.refundId, amount: money(500, "EUR") },
        ])
        const over = gateway.refund({
          paymentIntentId,
          amount: money(1501, "EUR"),
          idempotencyKey: "refund:ord_1:2",
          reason: null,
        })
        expect(yield* Effect.flip(over)).toMatchObject({ _tag: "PaymentRefused", code: "amount_too_large" })
      }),
    ))

  it("refuses a reused idempotency key whose parameters changed, as Stripe does", () =>
    run(
      Effect.gen(function* () {
        const gateway = yield* PaymentGateway
        yield* open("ord_1", 3000)
        expect(yield* Effect.flip(open("ord_1", 2999))).toMatchObject({
          _tag: "PaymentRefused",
          code: "idempotency_error",
        })
        const { paymentIntentId } = yield* (yield* SandboxControl).pay((yield* open("ord_1", 3000)).sessionId)
        const refund = (amount: number) =>
          gateway.refund({
            paymentIntentId,
            amount: money(amount, "EUR"),
            idempotencyKey: "refund:ord_1:1",
            reason: null,
          })
        yield* refund(100)
        expect((yield* Effect.flip(refund(200)))._tag).toBe("PaymentRefused")
        const unknown = PaymentIntentId.make("pi_elsewhere")
        const control = yield* SandboxControl
        expect((yield* Effect.flip(control.refundOutside(unknown, money(1, "EUR"))))._tag).toBe(
          "SandboxRefused",
        )
      }),
    ))

  it("fails every gateway call during a simulated outage, while control keeps working", () =>
    run(
      Effect.gen(function* () {
        const gateway = yield* PaymentGateway
        const control = yield* SandboxControl
        const { sessionId } = yield* open("ord_1")
        yield* control.setFailing(true)
        expect((yield* Effect.flip(open("ord_2")))._tag).toBe("PaymentGatewayError")
        expect((yield* Effect.flip(state(sessionId)))._tag).toBe("PaymentGatewayError")
        const { paymentIntentId } = yield* control.pay(sessionId)
        const refund = gateway.refund({
          paymentIntentId,
          amount: money(1, "EUR"),
          idempotencyKey: "refund:x:1",
          reason: null,
        })
        expect((yield* Effect.flip(refund))._tag).toBe("PaymentGatewayError")
        yield* control.setFailing(false)
        expect((yield* state(sessionId)).paymentStatus).toBe("paid")
        expect((yield* control.sessions).map((s) => s.orderId)).toEqual(["ord_1"])
      }),
    ))
})

describe("sandbox ids", () => {
  it("are random in production, so a restarted process or a second replica never reuses one", async () => {
    // Two separately built layers: two processes, or one process before and after a restart.
    const first = await run(open("ord_1"))
    const second = await run(open("ord_1"))
    expect(first.sessionId).toMatch(/^cs_sandbox_[0-9a-f]{24}$/)
    expect(second.sessionId).not.toBe(first.sessionId)
    const paid = await run(
      Effect.gen(function* () {
        const { sessionId } = yield* open("ord_2")
        return yield* (yield* SandboxControl).pay(sessionId)
      }),
    )
    expect(paid.eventId).toMatch(/^evt_sandbox_[0-9a-f]{24}$/)
    expect(paid.paymentIntentId).toMatch(/^pi_sandbox_[0-9a-f]{24}$/)
  })

  it("number from 1 in each fresh sequential layer, for tests that name them", async () => {
    const opened = () =>
      Effect.runPromise(Effect.provide(open("ord_1"), SandboxPaymentGateway.layerSequential))
    expect((await opened()).sessionId).toBe("cs_sandbox_000001")
    expect((await opened()).sessionId).toBe("cs_sandbox_000001")
  })
})
