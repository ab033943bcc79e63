import { Context, type Effect } from "effect"
import type { PaymentGatewayError } from "../errors.js"
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

export interface PaymentGateway {
  /** Open a hosted payment session for an order. */
  readonly openSession: (request: SessionRequest) => Effect.Effect<OpenedSession, PaymentGatewayError>
  /** Read the provider's current state of a session. */
  readonly retrieveSession: (sessionId: SessionId) => Effect.Effect<SessionState, PaymentGatewayError>
  /** Refund (part of) a captured payment. */
  readonly refund: (
    request: RefundRequest,
  ) => Effect.Effect<{ readonly refundId: string; readonly status: string }, PaymentGatewayError>
}

export const PaymentGateway = Context.GenericTag<PaymentGateway>("@settle/domain/PaymentGateway")
