import { Either, Schema } from "effect"
import { type IllegalTransition, RefundExceedsCaptured } from "../errors.js"
import { Actor } from "../model/AuditRecord.js"
import { OrderId, type ProductId } from "../model/Ids.js"
import { type Currency, MAX_AMOUNT, type Money } from "../model/Money.js"
import type { Order, Refund } from "../model/Order.js"
import { type OrderStatus, transition } from "../model/OrderStatus.js"

export const RefundRequestId = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9_-]{1,64}$/, { message: () => "requestId must be 1-64 of A-Z a-z 0-9 _ -" }),
  // All-digit ids would collide with the numbered refunds `refund:<orderId>:<n>`.
  Schema.filter((id) => !/^\d+$/.test(id), { message: () => "requestId must not be all digits" }),
)

export const AdminRefundRequest = Schema.Struct({
  orderId: OrderId,
  actor: Actor,
  amount: Schema.optional(
    Schema.Int.pipe(
      Schema.positive({ message: () => "amount must be a positive integer of minor units" }),
      Schema.lessThanOrEqualTo(MAX_AMOUNT, {
        message: () => `amount must be at most ${MAX_AMOUNT} minor units`,
      }),
    ),
  ),
  reason: Schema.optional(Schema.Trim.pipe(Schema.maxLength(500, { message: () => "reason is too long" }))),
  restock: Schema.optional(Schema.Boolean),
  requestId: Schema.optional(RefundRequestId),
})
export type AdminRefundRequest = typeof AdminRefundRequest.Type

/** What Stripe holds for the order; nothing is refundable without a known payment intent. */
export const capturedOf = (order: Order): number =>
  order.payment.paymentIntentId === null ? 0 : (order.payment.amountReceived ?? 0)

export const refundableOf = (order: Order): number =>
  Math.max(0, capturedOf(order) - order.payment.amountRefunded)

export const chargeCurrency = (order: Order): Currency => order.payment.currency ?? order.totals.currency

export const refundMoney = (order: Order, amount: number): Money => ({
  amount,
  currency: chargeCurrency(order),
})

export interface RefundPlan {
  readonly amount: number
  readonly captured: number
  /** The status the refund's conditional write sets. */
  readonly status: OrderStatus
}

/** I6: the state machine and the captured amount decide; `requested` undefined means all that is left. */
export const planRefund = (
  order: Order,
  requested: number | undefined,
): Either.Either<RefundPlan, IllegalTransition | RefundExceedsCaptured> => {
  const captured = capturedOf(order)
  const refundable = refundableOf(order)
  const amount = requested ?? refundable
  const full = order.payment.amountRefunded + amount >= captured
  return Either.flatMap(transition(order.status, full ? "refund_fully" : "refund_partially"), (status) =>
    amount <= 0 || amount > refundable
      ? Either.left(
          new RefundExceedsCaptured({ requested: amount, refundable, currency: chargeCurrency(order) }),
        )
      : Either.right({ amount, captured, status }),
  )
}

/**
 * Admin refunds: the caller's requestId makes a repeated request the same refund; else the n-th refund.
 * `usedIds` are refund ids the order no longer holds (refused and released): their numbers, like the
 * order's own, are never given again, since Stripe keeps the answer it gave under each key.
 */
export const adminRefundId = (
  order: Order,
  requestId: string | undefined,
  usedIds: ReadonlyArray<string> = [],
): string => {
  if (requestId !== undefined) return `refund:${order.id}:${requestId}`
  const prefix = `refund:${order.id}:`
  const numbers = [...order.refunds.map((r) => r.id), ...usedIds].flatMap((id) =>
    id.startsWith(prefix) && /^\d+$/.test(id.slice(prefix.length)) ? [Number(id.slice(prefix.length))] : [],
  )
  return `${prefix}${Math.max(order.refunds.length, ...numbers) + 1}`
}

/** Refunds Stripe reports that we did not initiate (e.g. made in the dashboard). */
export const providerRefundId = (orderId: OrderId, gatewayRefundId: string): string =>
  `refund:${orderId}:stripe:${gatewayRefundId}`

export const findRefund = (order: Order, id: string): Refund | undefined =>
  order.refunds.find((r) => r.id === id)

/**
 * An admin refund reserved on the order whose gateway call never completed (failed or crashed). Without
 * a requestId, repeating the request resumes it under its own idempotency key instead of reserving the
 * amount a second time, so a failed refund is always completed by asking again.
 */
export const unfinishedRefund = (order: Order, amount: number | undefined): Refund | undefined =>
  order.refunds.find(
    (r) =>
      r.gatewayRefundId === null &&
      !r.id.startsWith(providerRefundId(order.id, "")) &&
      (amount === undefined || r.amount === amount),
  )

/**
 * appendRefund sets the status the caller computed from its own read, so two concurrent partial refunds
 * that together reach the captured amount can leave `partially_refunded`; this names the repair.
 */
export const needsFullyRefunded = (order: Order, captured: number): boolean =>
  order.status === "partially_refunded" && order.payment.amountRefunded >= captured

/**
 * A refund carries an amount, not lines, so we cannot tell which units came back: when the operator
 * asks for a restock (on a full or a partial refund) every item's full quantity returns, once per
 * order, since a second restock of the same goods would invent stock.
 */
export const restockLines = (
  order: Order,
  refund: Refund,
): ReadonlyArray<{ readonly productId: ProductId; readonly quantity: number }> => {
  const alreadyRestocked = order.refunds.some(
    (other) => other.id !== refund.id && other.restock && other.gatewayRefundId !== null,
  )
  return !refund.restock || alreadyRestocked
    ? []
    : order.items.map((item) => ({ productId: item.productId, quantity: item.quantity }))
}

export const refundSnapshot = (order: Order) => ({
  status: order.status,
  amountRefunded: order.payment.amountRefunded,
})
