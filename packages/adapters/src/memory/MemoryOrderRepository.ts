import {
  DuplicateKey,
  type Order,
  type OrderCursor,
  type OrderListQuery,
  OrderRepository,
  StoreError,
} from "@settle/domain"
import { Effect, Layer, Option } from "effect"
import { copy, makeCollection, oldestFirst } from "./Collection.js"

const INVOICE_DUE = new Set<Order["invoice"]["status"]>(["pending", "failed", "issuing"])

/** The listing's order: newest first, ties broken by id, descending (as the Mongo sort does). */
const listingOrder = (a: OrderCursor, b: OrderCursor): number =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)

const isAfter = (order: Order, cursor: OrderCursor): boolean => listingOrder(order, cursor) > 0

const matchesListing = (o: Order, q: OrderListQuery): boolean =>
  (q.status === undefined || o.status === q.status) &&
  (q.sessionId === undefined || o.payment.sessionId === q.sessionId) &&
  (q.paymentIntentId === undefined || o.payment.paymentIntentId === q.paymentIntentId) &&
  (q.customerEmail === undefined || o.customerEmail === q.customerEmail) &&
  (q.createdFrom === undefined || o.createdAt >= q.createdFrom) &&
  (q.createdBefore === undefined || o.createdAt < q.createdBefore) &&
  (q.stuckPaidBefore === undefined ||
    (o.status === "paid" && o.webhook.processedAt === null && o.updatedAt < q.stuckPaidBefore)) &&
  (q.invoiceStatus === undefined || o.invoice.status === q.invoiceStatus) &&
  (q.after === undefined || isAfter(o, q.after))

export const make: Effect.Effect<OrderRepository> = Effect.sync(() => {
  const orders = makeCollection<Order>()

  // The sessionId index is unique over non-null values only (a partial index in Mongo).
  const sessionTaken = (order: Order): boolean =>
    order.payment.sessionId !== null &&
    orders.some((other) => other.id !== order.id && other.payment.sessionId === order.payment.sessionId)

  /**
   * One conditional single-document update: `change` sees the stored order and returns the next one,
   * or undefined when its condition does not hold. Runs synchronously, so no other write interleaves.
   */
  const update = (id: string, at: Date, change: (order: Order) => Order | undefined) =>
    Effect.suspend(() => {
      const current = orders.peek(id)
      const changed = current === undefined ? undefined : change(current)
      if (current === undefined || changed === undefined) return Effect.succeed(Option.none<Order>())
      const next: Order = { ...changed, version: current.version + 1, updatedAt: at }
      // An update can set payment.sessionId, which the unique index checks like an insert.
      if (sessionTaken(next)) {
        return Effect.fail(new StoreError({ message: `orders: duplicate payment.sessionId on ${id}` }))
      }
      orders.put(id, next)
      return Effect.succeed(Option.some(copy(next)))
    })

  const service: OrderRepository = {
    insert: (order) =>
      Effect.suspend(() => {
        if (orders.peek(order.id) !== undefined) {
          return Effect.fail(new DuplicateKey({ entity: "orders", key: `id=${order.id}` }))
        }
        if (sessionTaken(order)) {
          return Effect.fail(
            new DuplicateKey({ entity: "orders", key: `payment.sessionId=${order.payment.sessionId}` }),
          )
        }
        orders.put(order.id, order)
        return Effect.void
      }),

    findById: (id) => Effect.sync(() => orders.find(id)),

    findBySessionId: (sessionId) =>
      Effect.sync(() => orders.findFirst((o) => o.payment.sessionId === sessionId)),

    findByPaymentIntentId: (id) =>
      Effect.sync(() => orders.findFirst((o) => o.payment.paymentIntentId === id)),

    transition: (id, from, patch, at, expectedHoldEpoch) =>
      update(id, at, (order) =>
        from.includes(order.status) &&
        (expectedHoldEpoch === undefined || order.holdEpoch === expectedHoldEpoch)
          ? {
              ...order,
              status: patch.status ?? order.status,
              payment: { ...order.payment, ...patch.payment },
              reviewReason: patch.reviewReason !== undefined ? patch.reviewReason : order.reviewReason,
              holdEpoch: patch.holdEpoch ?? order.holdEpoch,
              webhook: { ...order.webhook, lastEventId: patch.lastEventId ?? order.webhook.lastEventId },
            }
          : undefined,
      ),

    markFinalized: (id, at, eventId) =>
      update(id, at, (order) =>
        order.status === "paid" && order.webhook.processedAt === null
          ? {
              ...order,
              status: "confirmed",
              webhook: { processedAt: at, lastEventId: eventId ?? order.webhook.lastEventId },
              invoice:
                order.invoice.status === "unscheduled"
                  ? { ...order.invoice, status: "pending", nextAttemptAt: at }
                  : order.invoice,
            }
          : undefined,
      ),

    updateInvoice: (id, from, invoice, at, expectedAttempts) =>
      update(id, at, (order) =>
        from.includes(order.invoice.status) &&
        (expectedAttempts === undefined || order.invoice.attempts === expectedAttempts)
          ? { ...order, invoice }
          : undefined,
      ),

    appendRefund: (id, refund, captured, from, status, at) =>
      update(id, at, (order) =>
        from.includes(order.status) &&
        !order.refunds.some((r) => r.id === refund.id) &&
        order.payment.amountRefunded + refund.amount <= captured
          ? {
              ...order,
              status,
              refunds: [...order.refunds, refund],
              payment: { ...order.payment, amountRefunded: order.payment.amountRefunded + refund.amount },
            }
          : undefined,
      ),

    setGatewayRefundId: (id, refundId, gatewayRefundId, at) =>
      update(id, at, (order) =>
        order.refunds.some((r) => r.id === refundId && r.gatewayRefundId === null)
          ? {
              ...order,
              refunds: order.refunds.map((r) => (r.id === refundId ? { ...r, gatewayRefundId } : r)),
            }
          : undefined,
      ),

    findExpiredPending: (now, limit) =>
      Effect.sync(() =>
        orders.select(
          (o) => o.status === "pending" && o.expiresAt < now,
          oldestFirst((o) => o.expiresAt),
          limit,
        ),
      ),

    findStale: (statuses, before, limit) =>
      Effect.sync(() =>
        orders.select(
          (o) => statuses.includes(o.status) && o.updatedAt < before,
          oldestFirst((o) => o.updatedAt),
          limit,
        ),
      ),

    findInvoicesDue: (now, limit) =>
      Effect.sync(() =>
        orders.select(
          (o) =>
            INVOICE_DUE.has(o.invoice.status) &&
            o.invoice.nextAttemptAt !== null &&
            o.invoice.nextAttemptAt <= now,
          oldestFirst((o) => o.invoice.nextAttemptAt ?? o.updatedAt),
          limit,
        ),
      ),

    list: (query) =>
      Effect.sync(() => orders.select((o) => matchesListing(o, query), listingOrder, query.limit)),

    health: () =>
      Effect.sync(() => ({
        paidUnconfirmed: orders.count((o) => o.status === "paid" && o.webhook.processedAt === null),
        invoiceFailed: orders.count((o) => o.invoice.status === "failed"),
      })),
  }
  return service
})

export const layer: Layer.Layer<OrderRepository> = Layer.effect(OrderRepository, make)
