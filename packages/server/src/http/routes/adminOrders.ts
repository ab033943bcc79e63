import type Router from "@koa/router"
import {
  AuditLog,
  addInternalNote,
  Ledger,
  type OrderId,
  OrderNotFound,
  OrderRepository,
  refundOrder,
} from "@settle/domain"
import { Effect, Option } from "effect"
import { readJson } from "../body.js"
import { respond } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"
import { actorOf, requireAdmin } from "./adminGuard.js"
import { decodeNoteBody, decodeRefundBody, orderIdOf } from "./adminOrderBodies.js"
import { listOrders } from "./adminOrderQuery.js"
import { adminOrderView, auditRecordView, ledgerEntryView, refundView } from "./adminOrderViews.js"
import { adminReviewRoutes } from "./adminReviews.js"

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

/**
 * Orders for operators (runbook scenarios 1, 2, 5 and 9): list and filter, read one with its ledger and
 * audit trail, refund, note, resolve a payment held for review. Every mutation is audited by its use-case with the token's actor.
 */
export const adminOrderRoutes = (router: Router, deps: RouteDeps): void => {
  const admin = requireAdmin(deps)
  const path = "/api/v1/admin/orders"

  router.get(path, admin, (ctx) =>
    respond(ctx, deps.runtime, listOrders(ctx.query), 200, (page) => ({
      orders: page.orders.map(adminOrderView),
      nextCursor: page.nextCursor,
    })),
  )

  router.get(`${path}/:id`, admin, (ctx) =>
    respond(ctx, deps.runtime, orderDetail(ctx.params.id), 200, ({ order, ledger, audit }) => ({
      order: adminOrderView(order),
      ledger: ledger.map(ledgerEntryView),
      audit: audit.map(auditRecordView),
    })),
  )

  // A repeated request with the same requestId is the same refund (I6), answered the same way.
  router.post(`${path}/:id/refunds`, admin, async (ctx) => {
    const actor = actorOf(ctx.state)
    const input = await readJson(ctx, deps.bodyLimitBytes)
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
  })

  // The runbook: manual edits "must be recorded in internal notes"; a note is an audit record.
  router.post(`${path}/:id/notes`, admin, async (ctx) => {
    const actor = actorOf(ctx.state)
    const input = await readJson(ctx, deps.bodyLimitBytes)
    const program = Effect.gen(function* () {
      const orderId = yield* orderIdOf(ctx.params.id)
      const { note } = yield* decodeNoteBody(input)
      return yield* addInternalNote({ orderId, actor, note })
    })
    await respond(ctx, deps.runtime, program, 201, (record) => ({ note: auditRecordView(record) }))
  })

  // Resolving a payment held for review: accept it, or refund it and close the order.
  adminReviewRoutes(router, deps)
}
