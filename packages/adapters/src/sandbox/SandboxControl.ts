import {
  ChargeRefunded,
  Money,
  PaymentFailed,
  type PaymentIntentId,
  PaymentPending,
  PaymentSucceeded,
  SessionExpired,
  type SessionId,
} from "@settle/domain"
import { Context, Data, Effect, Either, Schema } from "effect"
import {
  type SandboxCapture,
  type SandboxRefund,
  type SandboxSession,
  type SandboxStore,
  takeRefund,
} from "./SandboxStore.js"

/** A control request the sandbox cannot honour because Stripe never would (paying an expired session…). */
export class SandboxRefused extends Data.TaggedError("SandboxRefused")<{ readonly message: string }> {}

/** What the customer actually pays, when a test simulates a tampered session. */
export interface SandboxPayment {
  readonly amount?: number
  readonly currency?: string
}

/**
 * Drives the sandbox the way a customer and Stripe would, and returns the events Stripe would
 * deliver; delivering them (once, twice, out of order) is up to the test.
 */
export interface SandboxControl {
  /** Pay an open session (checkout.session.completed) or settle a delayed one (…async_payment_succeeded). */
  readonly pay: (
    sessionId: SessionId,
    payment?: SandboxPayment,
  ) => Effect.Effect<typeof PaymentSucceeded.Type, SandboxRefused>
  /** Complete an open session with a delayed payment method: complete but unpaid. */
  readonly payLater: (sessionId: SessionId) => Effect.Effect<typeof PaymentPending.Type, SandboxRefused>
  /** A delayed payment fails (checkout.session.async_payment_failed); an open session completes first. */
  readonly failAsync: (sessionId: SessionId) => Effect.Effect<typeof PaymentFailed.Type, SandboxRefused>
  /** Stripe expires an open session (checkout.session.expired). */
  readonly expire: (sessionId: SessionId) => Effect.Effect<typeof SessionExpired.Type, SandboxRefused>
  /** Expire every open session whose expiresAt is at or before `now`. */
  readonly expireDue: (now: Date) => Effect.Effect<ReadonlyArray<typeof SessionExpired.Type>>
  /** A refund made outside the application, in the Stripe dashboard. */
  readonly refundOutside: (
    paymentIntentId: PaymentIntentId,
    amount: Money,
  ) => Effect.Effect<SandboxRefund, SandboxRefused>
  /** charge.refunded with the cumulative refunds of a payment so far. */
  readonly refundEvent: (
    paymentIntentId: PaymentIntentId,
  ) => Effect.Effect<typeof ChargeRefunded.Type, SandboxRefused>
  /** Make every PaymentGateway call fail with PaymentGatewayError (a provider outage); control keeps working. */
  readonly setFailing: (failing: boolean) => Effect.Effect<void>
  readonly sessions: Effect.Effect<ReadonlyArray<SandboxSession>>
  readonly captures: Effect.Effect<ReadonlyArray<SandboxCapture>>
}

export const SandboxControl = Context.GenericTag<SandboxControl>("@settle/adapters/SandboxControl")

const refuse = (message: string) => Effect.fail(new SandboxRefused({ message }))

export const makeControl = (store: SandboxStore): SandboxControl => {
  const withSession = <A>(
    sessionId: SessionId,
    f: (session: SandboxSession) => Effect.Effect<A, SandboxRefused>,
  ): Effect.Effect<A, SandboxRefused> =>
    Effect.suspend(() => {
      const session = store.sessions.get(sessionId)
      return session === undefined ? refuse(`no sandbox session ${sessionId}`) : f(session)
    })

  const save = (session: SandboxSession): SandboxSession => {
    store.sessions.set(session.sessionId, session)
    return session
  }

  const pay = (sessionId: SessionId, payment: SandboxPayment = {}) =>
    withSession(sessionId, (session) => {
      const delayed = session.status === "complete" && session.asyncPayment === "pending"
      if (session.status !== "open" && !delayed) {
        return refuse(`session ${sessionId} is ${session.status}/${session.paymentStatus}; it cannot be paid`)
      }
      const paid = Schema.decodeUnknownEither(Money)({
        amount: payment.amount ?? session.amount.amount,
        currency: payment.currency ?? session.amount.currency,
      })
      if (Either.isLeft(paid)) return refuse(`invalid sandbox payment: ${paid.left.message}`)
      const paymentIntentId = session.paymentIntentId ?? store.paymentIntentId()
      save({
        ...session,
        amount: paid.right,
        status: "complete",
        paymentStatus: "paid",
        paymentIntentId,
        asyncPayment: null,
      })
      store.captures.set(paymentIntentId, { paymentIntentId, sessionId, amount: paid.right, refunds: [] })
      return Effect.succeed(
        PaymentSucceeded.make({
          eventId: store.eventId(),
          type: delayed ? "checkout.session.async_payment_succeeded" : "checkout.session.completed",
          sessionId,
          orderId: session.orderId,
          paymentIntentId,
          amount: paid.right,
        }),
      )
    })

  const completeUnpaid = (session: SandboxSession): SandboxSession =>
    save({
      ...session,
      status: "complete",
      paymentStatus: "unpaid",
      paymentIntentId: session.paymentIntentId ?? store.paymentIntentId(),
      asyncPayment: "pending",
    })

  const payLater = (sessionId: SessionId) =>
    withSession(sessionId, (session) => {
      if (session.status !== "open") return refuse(`session ${sessionId} is ${session.status}, not open`)
      completeUnpaid(session)
      const type = "checkout.session.completed"
      return Effect.succeed(
        PaymentPending.make({ eventId: store.eventId(), type, sessionId, orderId: session.orderId }),
      )
    })

  const failAsync = (sessionId: SessionId) =>
    withSession(sessionId, (session) => {
      if (session.status !== "open" && session.asyncPayment !== "pending") {
        return refuse(`session ${sessionId} has no delayed payment that could fail`)
      }
      const failed = save({ ...completeUnpaid(session), asyncPayment: "failed" })
      return Effect.succeed(
        PaymentFailed.make({
          eventId: store.eventId(),
          type: "checkout.session.async_payment_failed",
          sessionId,
          paymentIntentId: failed.paymentIntentId,
          orderId: session.orderId,
          reason: "async_payment_failed",
        }),
      )
    })

  const expireOpen = (session: SandboxSession) => {
    save({ ...session, status: "expired" })
    const { sessionId, orderId } = session
    return SessionExpired.make({
      eventId: store.eventId(),
      type: "checkout.session.expired",
      sessionId,
      orderId,
    })
  }

  const expire = (sessionId: SessionId) =>
    withSession(sessionId, (session) =>
      session.status === "open"
        ? Effect.succeed(expireOpen(session))
        : refuse(`session ${sessionId} is ${session.status}; Stripe only expires open sessions`),
    )

  const expireDue = (now: Date) =>
    Effect.sync(() =>
      [...store.sessions.values()]
        .filter((s) => s.status === "open" && s.expiresAt.getTime() <= now.getTime())
        .map(expireOpen),
    )

  const refundOutside = (paymentIntentId: PaymentIntentId, amount: Money) =>
    Effect.suspend(() =>
      Either.match(takeRefund(store, paymentIntentId, amount, null), {
        onLeft: refuse,
        onRight: Effect.succeed,
      }),
    )

  const refundEvent = (paymentIntentId: PaymentIntentId) =>
    Effect.suspend(() => {
      const capture = store.captures.get(paymentIntentId)
      if (capture === undefined || capture.refunds.length === 0) {
        return refuse(`payment ${paymentIntentId} has no refunds to report`)
      }
      return Effect.succeed(
        ChargeRefunded.make({
          eventId: store.eventId(),
          type: "charge.refunded",
          paymentIntentId,
          refunds: capture.refunds.map(({ refundId, amount }) => ({ refundId, amount })),
        }),
      )
    })

  return SandboxControl.of({
    pay,
    payLater,
    failAsync,
    expire,
    expireDue,
    refundOutside,
    refundEvent,
    setFailing: (failing) =>
      Effect.sync(() => {
        store.failing = failing
      }),
    sessions: Effect.sync(() => [...store.sessions.values()]),
    captures: Effect.sync(() => [...store.captures.values()]),
  })
}
