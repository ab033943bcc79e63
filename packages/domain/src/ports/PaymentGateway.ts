import { Context, type Effect } from "effect"
import type { GatewayFailure } from "../errors.js"
import type { OrderId, PaymentIntentId, SessionId } from "../model/Ids.js"
import type { Money } from "../model/Money.js"

export interface SessionRequest {
  readonly orderId: OrderId
  readonly lineItems: ReadonlyArray<{
    readonly name: string
    readonly unitAmount: Money
    readonly quantity: number
  }>
  /** The amount to collect after discounts: what finalization verifies the payment against. */
  readonly amount: Money
  readonly customerEmail: string
  /** Aligned with the reservation's expiry, so a session cannot be paid after capacity was released. */
  readonly expiresAt: Date
  /** `checkout:<orderId>`: a retried checkout never opens a second session. */
  readonly idempotencyKey: string
}

export interface OpenedSession {
  readonly sessionId: SessionId
  readonly url: string
}

/** What the provider says of a session now: the reconciler's source of truth. */
export interface SessionState {
  readonly sessionId: SessionId
  readonly status: "open" | "complete" | "expired"
  readonly paymentStatus: "paid" | "unpaid" | "no_payment_required"
  readonly paymentIntentId: PaymentIntentId | null
  readonly amount: Money
  readonly orderId: OrderId | null
}

export interface RefundRequest {
  readonly paymentIntentId: PaymentIntentId
  readonly amount: Money
  /** `refund:<orderId>:<n>`: a repeated request refunds once. */
  readonly idempotencyKey: string
  readonly reason: string | null
}

/**
 * Every call fails with PaymentGatewayError when the provider could not be asked or could not answer
 * (a retry may pass) and with PaymentRefused when it answered no (a retry gets the same no).
 */
export interface PaymentGateway {
  /** Open a hosted payment session for an order. */
  readonly openSession: (request: SessionRequest) => Effect.Effect<OpenedSession, GatewayFailure>
  /** Read the provider's current state of a session. */
  readonly retrieveSession: (sessionId: SessionId) => Effect.Effect<SessionState, GatewayFailure>
  /** Refund (part of) a captured payment. */
  readonly refund: (
    request: RefundRequest,
  ) => Effect.Effect<{ readonly refundId: string; readonly status: string }, GatewayFailure>
}

export const PaymentGateway = Context.GenericTag<PaymentGateway>("@settle/domain/PaymentGateway")
