import { randomBytes } from "node:crypto"
import {
  type Money,
  type OrderId,
  PaymentIntentId,
  RefundId,
  SessionId,
  type SessionState,
  StripeEventId,
} from "@settle/domain"
import { Either } from "effect"

export interface SandboxSession {
  readonly sessionId: SessionId
  readonly orderId: OrderId
  /** What the session collects; a tampered payment rewrites it, as a manipulated session would carry it. */
  readonly amount: Money
  readonly expiresAt: Date
  readonly status: SessionState["status"]
  readonly paymentStatus: SessionState["paymentStatus"]
  readonly paymentIntentId: PaymentIntentId | null
  readonly url: string
  readonly idempotencyKey: string
  /** A delayed payment method (SEPA debit…) was used: Stripe settles or fails it later. */
  readonly asyncPayment: "pending" | "failed" | null
}

export interface SandboxRefund {
  readonly refundId: RefundId
  readonly paymentIntentId: PaymentIntentId
  readonly amount: Money
  /** null for refunds made outside the application (the Stripe dashboard). */
  readonly idempotencyKey: string | null
}

/** A captured payment and the refunds taken from it. */
export interface SandboxCapture {
  readonly paymentIntentId: PaymentIntentId
  readonly sessionId: SessionId
  readonly amount: Money
  readonly refunds: ReadonlyArray<SandboxRefund>
}

/** Mutated only inside single synchronous blocks, which makes each operation atomic. */
export interface SandboxStore {
  failing: boolean
  readonly sessions: Map<SessionId, SandboxSession>
  readonly sessionsByKey: Map<string, SessionId>
  readonly captures: Map<PaymentIntentId, SandboxCapture>
  readonly refundsByKey: Map<string, SandboxRefund>
  readonly sessionId: () => SessionId
  readonly paymentIntentId: () => PaymentIntentId
  readonly refundId: () => RefundId
  readonly eventId: () => StripeEventId
}

/** Makes the sandbox's object ids from a Stripe-shaped prefix (cs, pi, re, evt). */
export type SandboxIds = (prefix: string) => string

/**
 * Random ids, unique across restarts and replicas like Stripe's own: a restarted server or a second
 * replica never hands out a session or event id that an earlier one did (which would collide on the
 * orders' unique session index, or make a new event look like a duplicate).
 */
export const randomIds: SandboxIds = (prefix) => `${prefix}_sandbox_${randomBytes(12).toString("hex")}`

/** `<prefix>_sandbox_000001`, … per prefix: deterministic ids for tests that name them. */
export const sequentialIds = (): SandboxIds => {
  const counters = new Map<string, number>()
  return (prefix) => {
    const n = (counters.get(prefix) ?? 0) + 1
    counters.set(prefix, n)
    return `${prefix}_sandbox_${String(n).padStart(6, "0")}`
  }
}

export const makeStore = (ids: SandboxIds = randomIds): SandboxStore => ({
  failing: false,
  sessions: new Map(),
  sessionsByKey: new Map(),
  captures: new Map(),
  refundsByKey: new Map(),
  sessionId: () => SessionId.make(ids("cs")),
  paymentIntentId: () => PaymentIntentId.make(ids("pi")),
  refundId: () => RefundId.make(ids("re")),
  eventId: () => StripeEventId.make(ids("evt")),
})

export const refundedSoFar = (capture: SandboxCapture): number =>
  capture.refunds.reduce((sum, refund) => sum + refund.amount.amount, 0)

/** Refuses what Stripe refuses: unknown charges, another currency, nothing, and more than is left. */
export const takeRefund = (
  store: SandboxStore,
  paymentIntentId: PaymentIntentId,
  amount: Money,
  idempotencyKey: string | null,
): Either.Either<SandboxRefund, string> => {
  const capture = store.captures.get(paymentIntentId)
  if (capture === undefined) return Either.left(`No such payment_intent: '${paymentIntentId}'`)
  if (amount.currency !== capture.amount.currency) {
    return Either.left(
      `Refund currency ${amount.currency} differs from the charge's ${capture.amount.currency}`,
    )
  }
  if (amount.amount <= 0) return Either.left("Refund amount must be a positive integer")
  const left = capture.amount.amount - refundedSoFar(capture)
  if (amount.amount > left) {
    return Either.left(
      `Refund amount (${amount.amount}) is greater than unrefunded amount on charge (${left})`,
    )
  }
  const refund: SandboxRefund = { refundId: store.refundId(), paymentIntentId, amount, idempotencyKey }
  store.captures.set(paymentIntentId, { ...capture, refunds: [...capture.refunds, refund] })
  if (idempotencyKey !== null) store.refundsByKey.set(idempotencyKey, refund)
  return Either.right(refund)
}
