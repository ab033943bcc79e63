import type { CouponReservation, Order, OrderStatus, WebhookEvent } from "@settle/domain"

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString())

/** What an on-call engineer needs of an order to find it in Stripe and act on it (never its access token). */
export const orderView = (order: Order) => ({
  orderId: order.id,
  status: order.status,
  sessionId: order.payment.sessionId,
  paymentIntentId: order.payment.paymentIntentId,
  total: { amount: order.totals.total, currency: order.totals.currency },
  amountReceived: order.payment.amountReceived,
  customerEmail: order.customerEmail,
  couponCode: order.couponCode,
  processedAt: iso(order.webhook.processedAt),
  lastEventId: order.webhook.lastEventId,
  invoice: {
    status: order.invoice.status,
    attempts: order.invoice.attempts,
    lastError: order.invoice.lastError,
    nextAttemptAt: iso(order.invoice.nextAttemptAt),
    number: order.invoice.number,
  },
  createdAt: iso(order.createdAt),
  updatedAt: iso(order.updatedAt),
})

/** A leaked reservation with what decides its fate in the expiry job: its order's status. */
export const reservationView = (
  reservation: CouponReservation,
  couponCode: string | null,
  orderStatus: OrderStatus | null,
) => ({
  couponId: reservation.couponId,
  couponCode,
  orderId: reservation.orderId,
  orderStatus,
  status: reservation.status,
  expiresAt: iso(reservation.expiresAt),
  createdAt: iso(reservation.createdAt),
})

/** Recorded by finalization on an amount or currency mismatch; the runbook forbids retrying those. */
export const isAmountMismatch = (event: WebhookEvent): boolean => event.lastError === "amount_mismatch"

/**
 * Why Settle acknowledged an event it left `error` (Stripe will not send it again): a signed payload it
 * could not decode, or an event whose order was still missing past the orphan window. Null otherwise.
 */
export const acknowledgedAs = (event: WebhookEvent): "undecodable" | "orphaned" | null =>
  event.lastError?.startsWith("undecodable:") === true
    ? "undecodable"
    : event.lastError?.startsWith("orphaned:") === true
      ? "orphaned"
      : null

export const eventView = (event: WebhookEvent) => ({
  stripeEventId: event.stripeEventId,
  type: event.type,
  status: event.status,
  attempts: event.attempts,
  lastError: event.lastError,
  /** Potential fraud: never to be replayed (runbook, Operational Principles). */
  amountMismatch: isAmountMismatch(event),
  acknowledged: acknowledgedAs(event),
  orderId: event.orderId,
  sessionId: "sessionId" in event.payload ? event.payload.sessionId : null,
  createdAt: iso(event.createdAt),
  updatedAt: iso(event.updatedAt),
})
