import { Context, type Effect, type Option } from "effect"
import type { DuplicateKey, StoreError } from "../errors.js"
import type { OrderId, PaymentIntentId, SessionId } from "../model/Ids.js"
import type { Money } from "../model/Money.js"
import type { Invoice, InvoiceStatus, Order, Payment, Refund } from "../model/Order.js"
import type { OrderStatus } from "../model/OrderStatus.js"

/** What a transition may also require of the order: its session, and a total it must equal. */
export interface ExpectedPayment {
  readonly sessionId: SessionId
  readonly total: Money
}

/** Fields a status change may set together with the status, in the same atomic write. */
export interface OrderPatch {
  readonly status?: OrderStatus
  readonly payment?: Partial<Payment>
  readonly reviewReason?: string | null
  readonly holdEpoch?: number
  readonly lastEventId?: string
}

export interface OrderHealth {
  /** status paid and `webhook.processedAt` null: the runbook's crash window. */
  readonly paidUnconfirmed: number
  /** `invoice.status` failed. */
  readonly invoiceFailed: number
}

/** Where a listing page ended: the next page holds the orders after it (newest first, ties by id). */
export interface OrderCursor {
  readonly createdAt: Date
  readonly id: OrderId
}

/** The admin listing: every filter given must hold; newest first by createdAt, ties by id descending. */
export interface OrderListQuery {
  readonly status?: OrderStatus
  readonly sessionId?: SessionId
  readonly paymentIntentId?: PaymentIntentId
  /** Exact match on the address as the customer typed it at checkout. */
  readonly customerEmail?: string
  /** createdAt at or after this instant. */
  readonly createdFrom?: Date
  /** createdAt strictly before this instant. */
  readonly createdBefore?: Date
  /** The runbook's stuck-paid query: status paid, `webhook.processedAt` null, updatedAt before this. */
  readonly stuckPaidBefore?: Date
  readonly invoiceStatus?: InvoiceStatus
  /** Only orders that sort after this one: the previous page's last order. */
  readonly after?: OrderCursor
  readonly limit: number
}

export interface OrderRepository {
  /** Insert a new order; DuplicateKey when the id or payment.sessionId exists. */
  readonly insert: (order: Order) => Effect.Effect<void, DuplicateKey | StoreError>
  /** Look an order up by id. */
  readonly findById: (id: OrderId) => Effect.Effect<Option.Option<Order>, StoreError>
  /** Look an order up by its payment session. */
  readonly findBySessionId: (sessionId: SessionId) => Effect.Effect<Option.Option<Order>, StoreError>
  /** Look an order up by its payment intent. */
  readonly findByPaymentIntentId: (id: PaymentIntentId) => Effect.Effect<Option.Option<Order>, StoreError>
  /**
   * Apply `patch` if the status is one of `from` and, when `expectedHoldEpoch` is given, holdEpoch still
   * equals it (a late payment's revival claims an epoch with it), and, when `expected` is given, the
   * order's payment session is `expected.sessionId` and its total and currency are `expected.total`'s
   * (a payment verified in the write itself); None when the condition did not hold.
   */
  readonly transition: (
    id: OrderId,
    from: ReadonlyArray<OrderStatus>,
    patch: OrderPatch,
    at: Date,
    expectedHoldEpoch?: number,
    expected?: ExpectedPayment,
  ) => Effect.Effect<Option.Option<Order>, StoreError>
  /** paid → confirmed, set `webhook.processedAt` and schedule the invoice, only while processedAt is null. */
  readonly markFinalized: (
    id: OrderId,
    at: Date,
    eventId: string | null,
  ) => Effect.Effect<Option.Option<Order>, StoreError>
  /**
   * Replace the invoice state if its status is one of `from` and, when `expectedAttempts` is given, its
   * attempts still equal it (a status can come back, failed → issuing → failed; attempts only grow).
   */
  readonly updateInvoice: (
    id: OrderId,
    from: ReadonlyArray<Invoice["status"]>,
    invoice: Invoice,
    at: Date,
    expectedAttempts?: number,
  ) => Effect.Effect<Option.Option<Order>, StoreError>
  /**
   * Append a refund if its id is new, the order's status is one of `from`, and amountRefunded stays
   * within `captured` (compared against a constant); sets the status to `status` in the same write.
   */
  readonly appendRefund: (
    id: OrderId,
    refund: Refund,
    captured: number,
    from: ReadonlyArray<OrderStatus>,
    status: OrderStatus,
    at: Date,
  ) => Effect.Effect<Option.Option<Order>, StoreError>
  /** Set the gateway's refund id on an appended refund that has none yet; None otherwise (one writer wins). */
  readonly setGatewayRefundId: (
    id: OrderId,
    refundId: string,
    gatewayRefundId: string,
    at: Date,
  ) => Effect.Effect<Option.Option<Order>, StoreError>
  /**
   * Take back a refund whose gateway call was refused: remove it (it must still have no gateway id),
   * subtract its amount from amountRefunded and set `status`, only while the order's version is still
   * `expectedVersion` (the read the caller computed the status from); None otherwise.
   */
  readonly releaseRefund: (
    id: OrderId,
    refundId: string,
    expectedVersion: number,
    status: OrderStatus,
    at: Date,
  ) => Effect.Effect<Option.Option<Order>, StoreError>
  /** Pending orders whose reservation expired before `now`, oldest first. */
  readonly findExpiredPending: (now: Date, limit: number) => Effect.Effect<ReadonlyArray<Order>, StoreError>
  /** Orders with one of `statuses` last updated before `before`, oldest first (the reconciler's input). */
  readonly findStale: (
    statuses: ReadonlyArray<OrderStatus>,
    before: Date,
    limit: number,
  ) => Effect.Effect<ReadonlyArray<Order>, StoreError>
  /** Orders whose invoice is pending or failed with nextAttemptAt ≤ now, or stuck issuing since before `now`. */
  readonly findInvoicesDue: (now: Date, limit: number) => Effect.Effect<ReadonlyArray<Order>, StoreError>
  /** Orders matching every filter of `query`, newest first (ties by id, descending), up to its limit. */
  readonly list: (query: OrderListQuery) => Effect.Effect<ReadonlyArray<Order>, StoreError>
  /** The runbook's order-health counts. */
  readonly health: () => Effect.Effect<OrderHealth, StoreError>
}

export const OrderRepository = Context.GenericTag<OrderRepository>("@settle/domain/OrderRepository")
