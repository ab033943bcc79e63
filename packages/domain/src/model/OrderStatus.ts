import { Either, Schema } from "effect"
import { IllegalTransition } from "../errors.js"

export const OrderStatus = Schema.Literal(
  "pending",
  "paid",
  "confirmed",
  "partially_refunded",
  "refunded",
  "payment_review",
  "cancelled",
  "expired",
)
export type OrderStatus = typeof OrderStatus.Type

/** What happens to an order; the state machine, not the arrival order of events, decides the outcome. */
export const OrderAction = Schema.Literal(
  "pay",
  "confirm",
  "review",
  "expire",
  "cancel",
  "refund_partially",
  "refund_fully",
  "accept_review",
  "refund_review",
)
export type OrderAction = typeof OrderAction.Type

const table: Record<OrderAction, Partial<Record<OrderStatus, OrderStatus>>> = {
  // A payment for an order expired or cancelled locally is honored when its capacity can be held again.
  pay: { pending: "paid", expired: "paid", cancelled: "paid" },
  confirm: { paid: "confirmed" },
  review: {
    pending: "payment_review",
    paid: "payment_review",
    expired: "payment_review",
    cancelled: "payment_review",
  },
  expire: { pending: "expired" },
  cancel: { pending: "cancelled" },
  refund_partially: { confirmed: "partially_refunded", partially_refunded: "partially_refunded" },
  refund_fully: { confirmed: "refunded", partially_refunded: "refunded" },
  // A human resolves a payment held for review. Accepting re-enters finalization at `paid`, so the
  // usual steps (ledger, stock, coupon, processedAt) finish it; refunding ends in `refunded`, terminal
  // like any refunded order, where no payment event can revive it (a `cancelled` order could be).
  accept_review: { payment_review: "paid" },
  refund_review: { payment_review: "refunded" },
}

export const transition = (
  from: OrderStatus,
  action: OrderAction,
): Either.Either<OrderStatus, IllegalTransition> => {
  const to = table[action][from]
  return to === undefined ? Either.left(new IllegalTransition({ from, action })) : Either.right(to)
}

/** The statuses an action may start from: the `from` condition of a compare-and-set write. */
export const sourcesOf = (action: OrderAction): ReadonlyArray<OrderStatus> =>
  Object.keys(table[action]) as Array<OrderStatus>

/**
 * Finalized orders: no payment step may run again. `webhook.processedAt` is set, except on a payment
 * refunded from review, which was never confirmed and is closed all the same.
 */
export const isFinalized = (status: OrderStatus): boolean =>
  status === "confirmed" || status === "partially_refunded" || status === "refunded"
