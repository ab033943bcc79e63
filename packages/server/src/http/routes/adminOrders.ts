import {
  AuditLog,
  addInternalNote,
  Ledger,
  OrderId,
  OrderNotFound,
  OrderRepository,
  refundOrder,
} from "@settle/domain"
import { Effect, Option, Schema } from "effect"
import { defineRoute } from "../contract/route.js"
import { respond } from "../respond.js"
import { NoteAnswer, OrderDetail, OrderPage, RefundAnswer } from "../schemas/orders.js"
import { actorOf } from "./adminGuard.js"
import { decodeNoteBody, decodeRefundBody, NoteBody, orderIdOf, RefundBody } from "./adminOrderBodies.js"
import { listOrders, OrderListQuery } from "./adminOrderQuery.js"
import { adminOrderView, auditRecordView, ledgerEntryView, refundView } from "./adminOrderViews.js"
import {
  INVALID_LIST_PARAMETER,
  INVALID_PARAMETER,
  ORDER_NOT_FOUND,
  PAYMENT_PROVIDER_REFUSED,
  PROVIDER_OR_STORE_UNAVAILABLE,
} from "./adminRefusals.js"
import { adminReviewRoutes } from "./adminReviews.js"

/**
 * Orders for operators (runbook scenarios 1, 2, 5 and 9): list and filter, read one with its ledger and
 * audit trail, refund, note, resolve a payment held for review. Every mutation is audited by its
 * use-case with the token's actor.
 */

const loadOrder = (id: OrderId) =>
  Effect.flatMap(OrderRepository, (orders) => orders.findById(id)).pipe(
    Effect.flatMap(Option.match({ onNone: () => new OrderNotFound({ key: id }), onSome: Effect.succeed })),
  )

/** The order with its books and its trail: what an operator checks before and after a manual step. */
const orderDetail = (rawId: string | undefined) =>
  Effect.gen(function* () {
    const id = yield* orderIdOf(rawId)
    const order = yield* loadOrder(id)
    const [ledger, audit] = yield* Effect.all(
      [(yield* Ledger).listByOrder(id), (yield* AuditLog).listByOrder(id)],
      { concurrency: 2 },
    )
    return { order, ledger, audit }
  })

const OrderParams = Schema.Struct({ id: OrderId })
const tags = ["admin: orders"]

export const listOrdersRoute = defineRoute({
  method: "get",
  path: "/api/v1/admin/orders",
  operationId: "adminListOrders",
  summary: "List and filter orders, newest first, a page at a time",
  tags,
  auth: "admin",
  request: { query: OrderListQuery },
  responses: {
    200: { description: "One page; pass `nextCursor` back as `cursor` for the next", schema: OrderPage },
  },
  errors: {
    400: INVALID_LIST_PARAMETER,
    422: {
      description:
        "`cursor` is well-formed but not a nextCursor this list returned (`UNKNOWN_CURSOR`), or `createdBefore` is not after `createdFrom` (`INPUT_REFUSED`, named in `details.field`)",
      codes: ["UNKNOWN_CURSOR", "INPUT_REFUSED"],
    },
  },
  handler: (ctx, deps) =>
    respond(ctx, deps.runtime, listOrders(ctx.query), 200, (page) => ({
      orders: page.orders.map(adminOrderView),
      nextCursor: page.nextCursor,
    })),
})

export const getOrderDetailRoute = defineRoute({
  method: "get",
  path: "/api/v1/admin/orders/{id}",
  operationId: "adminGetOrder",
  summary: "Read an order with its ledger entries and audit trail",
  tags,
  auth: "admin",
  request: { params: OrderParams },
  responses: { 200: { description: "The order, its ledger and its audit records", schema: OrderDetail } },
  errors: { 400: INVALID_PARAMETER, 404: ORDER_NOT_FOUND },
  handler: (ctx, deps) =>
    respond(ctx, deps.runtime, orderDetail(ctx.params.id), 200, ({ order, ledger, audit }) => ({
      order: adminOrderView(order),
      ledger: ledger.map(ledgerEntryView),
      audit: audit.map(auditRecordView),
    })),
})

// A repeated request with the same requestId is the same refund (I6), answered the same way.
export const refundOrderRoute = defineRoute({
  method: "post",
  path: "/api/v1/admin/orders/{id}/refunds",
  operationId: "adminRefundOrder",
  summary: "Refund all or part of what was captured",
  description:
    "`amount` in minor units of the captured currency (default: all that is left). A repeated `requestId` answers the same refund and refunds once.",
  tags,
  auth: "admin",
  idempotent: true,
  request: { params: OrderParams, body: { kind: "json", schema: RefundBody } },
  responses: { 201: { description: "The refund and the order after it", schema: RefundAnswer } },
  errors: {
    404: ORDER_NOT_FOUND,
    409: { description: "The order is not refundable in its status", codes: ["ILLEGAL_TRANSITION"] },
    422: {
      description:
        "The refund exceeds what is left of the captured amount, or its `requestId` was used for a refund with other parameters",
      codes: ["REFUND_EXCEEDS_CAPTURED", "REQUEST_ID_REUSED"],
    },
    502: PAYMENT_PROVIDER_REFUSED,
    503: PROVIDER_OR_STORE_UNAVAILABLE,
  },
  handler: async (ctx, deps, { body: input }) => {
    const actor = actorOf(ctx.state)
    const program = Effect.gen(function* () {
      const orderId = yield* orderIdOf(ctx.params.id)
      const body = yield* decodeRefundBody(input)
      const refund = yield* refundOrder({ ...body, orderId, actor })
      return { refund, order: yield* loadOrder(orderId) }
    })
    await respond(ctx, deps.runtime, program, 201, ({ refund, order }) => ({
      refund: refundView(refund, order),
      order: adminOrderView(order),
    }))
  },
})

// The runbook: manual edits "must be recorded in internal notes"; a note is an audit record.
export const addOrderNoteRoute = defineRoute({
  method: "post",
  path: "/api/v1/admin/orders/{id}/notes",
  operationId: "adminAddOrderNote",
  summary: "Record an internal note on an order (an audit record)",
  tags,
  auth: "admin",
  idempotent: true,
  request: { params: OrderParams, body: { kind: "json", schema: NoteBody } },
  responses: { 201: { description: "The note as recorded", schema: NoteAnswer } },
  errors: { 404: ORDER_NOT_FOUND },
  handler: async (ctx, deps, { body: input }) => {
    const actor = actorOf(ctx.state)
    const program = Effect.gen(function* () {
      const orderId = yield* orderIdOf(ctx.params.id)
      const { note } = yield* decodeNoteBody(input)
      return yield* addInternalNote({ orderId, actor, note })
    })
    await respond(ctx, deps.runtime, program, 201, (record) => ({ note: auditRecordView(record) }))
  },
})

export const adminOrderRoutes = [
  listOrdersRoute,
  getOrderDetailRoute,
  refundOrderRoute,
  addOrderNoteRoute,
  // Resolving a payment held for review: accept it, or refund it and close the order.
  ...adminReviewRoutes,
]
