import {
  DuplicateKey,
  type Order,
  type OrderCursor,
  type OrderListQuery,
  OrderRepository,
  StoreError,
} from "@settle/domain"
import { Effect, Layer, Option } from "effect"
import { type Collection, copy, makeCollection, oldestFirst } from "./Collection.js"

const INVOICE_DUE: ReadonlyArray<Order["invoice"]["status"]> = ["pending", "failed", "issuing"]

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

type OrderIndex = "sessionId" | "paymentIntentId" | "status" | "invoiceStatus" | "customerEmail"

// The orders collection's indexes (docs/storage.md); the listing's (createdAt, id) one is the walk order.
const makeOrders = () =>
  makeCollection<Order, OrderIndex>({
    indexes: {
      sessionId: (o) => o.payment.sessionId,
      paymentIntentId: (o) => o.payment.paymentIntentId,
      status: (o) => o.status,
      invoiceStatus: (o) => o.invoice.status,
      customerEmail: (o) => o.customerEmail,
    },
    order: listingOrder,
  })

/**
 * The listing's plan, as a query planner would weigh it: sort the smallest index match when it is
 * small against the limit, else walk the (createdAt, id) order and stop at the limit. Walking costs
 * about limit × size / matches, sorting the matches about their number.
 */
const listOrders = (orders: Collection<Order, OrderIndex>, q: OrderListQuery): ReadonlyArray<Order> => {
  const where = (o: Order) => matchesListing(o, q)
  const filters: ReadonlyArray<readonly [OrderIndex, string | undefined]> = [
    ["sessionId", q.sessionId],
    ["paymentIntentId", q.paymentIntentId],
    ["status", q.status ?? (q.stuckPaidBefore === undefined ? undefined : "paid")],
    ["invoiceStatus", q.invoiceStatus],
    ["customerEmail", q.customerEmail],
  ]
  const narrowest = filters
    .flatMap(([index, value]) =>
      value === undefined ? [] : [{ index, value, matches: orders.count(index, [value]) }],
    )
    .reduce<{ index: OrderIndex; value: string; matches: number } | undefined>(
      (best, next) => (best === undefined || next.matches < best.matches ? next : best),
      undefined,
    )
  if (narrowest !== undefined && narrowest.matches ** 2 <= q.limit * orders.size()) {
    return orders.select(narrowest.index, [narrowest.value], where, listingOrder, q.limit)
  }
  const { after, createdBefore, createdFrom } = q
  return orders.walk(where, q.limit, {
    from: (o) =>
      (after === undefined || isAfter(o, after)) &&
      (createdBefore === undefined || o.createdAt < createdBefore),
    past: createdFrom === undefined ? undefined : (o) => o.createdAt < createdFrom,
  })
}

export const make: Effect.Effect<OrderRepository> = Effect.sync(() => {
  const orders = makeOrders()

  // The sessionId index is unique over non-null values only (a partial index in Mongo).
  const sessionTaken = (order: Order): boolean =>
    order.payment.sessionId !== null &&
    orders.some("sessionId", order.payment.sessionId, (other) => other.id !== order.id)

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
        return Effect.fail(
          new StoreError({ message: `orders: duplicate payment.sessionId on ${id}`, kind: "refused" }),
        )
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

    findBySessionId: (sessionId) => Effect.sync(() => orders.findFirst("sessionId", sessionId)),

    findByPaymentIntentId: (id) => Effect.sync(() => orders.findFirst("paymentIntentId", id)),

    transition: (id, from, patch, at, expectedHoldEpoch, expected) =>
      update(id, at, (order) =>
        from.includes(order.status) &&
        (expectedHoldEpoch === undefined || order.holdEpoch === expectedHoldEpoch) &&
        (expected === undefined ||
          (order.payment.sessionId === expected.sessionId &&
            order.totals.total === expected.total.amount &&
            order.totals.currency === expected.total.currency))
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

    releaseRefund: (id, refundId, expectedVersion, status, at) =>
      update(id, at, (order) => {
        const refund = order.refunds.find((r) => r.id === refundId && r.gatewayRefundId === null)
        return order.version !== expectedVersion || refund === undefined
          ? undefined
          : {
              ...order,
              status,
              refunds: order.refunds.filter((r) => r.id !== refundId),
              payment: { ...order.payment, amountRefunded: order.payment.amountRefunded - refund.amount },
            }
      }),

    findExpiredPending: (now, limit) =>
      Effect.sync(() =>
        orders.select(
          "status",
          ["pending"],
          (o) => o.expiresAt < now,
          oldestFirst((o) => o.expiresAt),
          limit,
        ),
      ),

    findStale: (statuses, before, limit) =>
      Effect.sync(() =>
        orders.select(
          "status",
          statuses,
          (o) => o.updatedAt < before,
          oldestFirst((o) => o.updatedAt),
          limit,
        ),
      ),

    findInvoicesDue: (now, limit) =>
      Effect.sync(() =>
        orders.select(
          "invoiceStatus",
          INVOICE_DUE,
          (o) => o.invoice.nextAttemptAt !== null && o.invoice.nextAttemptAt <= now,
          oldestFirst((o) => o.invoice.nextAttemptAt ?? o.updatedAt),
          limit,
        ),
      ),

    list: (query) => Effect.sync(() => listOrders(orders, query)),

    health: () =>
      Effect.sync(() => ({
        paidUnconfirmed: orders.count("status", ["paid"], (o) => o.webhook.processedAt === null),
        invoiceFailed: orders.count("invoiceStatus", ["failed"]),
      })),
  }
  return service
})

export const layer: Layer.Layer<OrderRepository> = Layer.effect(OrderRepository, make)
