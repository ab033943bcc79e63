import { acceptReviewedPayment, OrderId, refundReviewedPayment } from "@settle/domain"
import { Effect, Schema } from "effect"
import { defineRoute } from "../contract/route.js"
import { respond } from "../respond.js"
import { ReviewAcceptAnswer, ReviewRefundAnswer } from "../schemas/reviews.js"
import { actorOf } from "./adminGuard.js"
import { decodeReviewBody, orderIdOf, ReviewBody } from "./adminOrderBodies.js"
import { adminOrderView, refundView } from "./adminOrderViews.js"
import { ORDER_NOT_FOUND, PAYMENT_PROVIDER_REFUSED, PROVIDER_OR_STORE_UNAVAILABLE } from "./adminRefusals.js"

/**
 * A payment held in `payment_review` (amount or currency mismatch, or a late payment whose capacity was
 * gone) waits for a human: accept it as received, or refund what was captured and close the order. One
 * order per call, a reason required, audited by the use-case with the token's actor; a repeat answers
 * 200 with what the first call did (`already_…`), and any other status is a 409 ILLEGAL_TRANSITION.
 */

const decided = (rawId: string | undefined, input: unknown) =>
  Effect.gen(function* () {
    const orderId = yield* orderIdOf(rawId)
    const { reason } = yield* decodeReviewBody(input)
    return { orderId, reason }
  })

const request = {
  params: Schema.Struct({ id: OrderId }),
  body: { kind: "json", schema: ReviewBody },
} as const
const tags = ["admin: orders"]
const NOT_IN_REVIEW = { description: "The order is not in `payment_review`", codes: ["ILLEGAL_TRANSITION"] }

export const acceptReviewRoute = defineRoute({
  method: "post",
  path: "/api/v1/admin/orders/{id}/review/accept",
  operationId: "adminAcceptReviewedPayment",
  summary: "Accept a payment held for review as received",
  tags,
  auth: "admin",
  idempotent: true,
  request,
  responses: {
    200: { description: "Accepted, or already accepted by an earlier call", schema: ReviewAcceptAnswer },
  },
  errors: {
    404: ORDER_NOT_FOUND,
    409: {
      description:
        "Not in `payment_review`, or its stock or coupon went to other orders (`CAPACITY_GONE`: nothing changed)",
      codes: ["ILLEGAL_TRANSITION", "CAPACITY_GONE"],
    },
  },
  handler: async (ctx, deps, { body }) => {
    const actor = actorOf(ctx.state)
    const program = Effect.flatMap(decided(ctx.params.id, body), (decision) =>
      acceptReviewedPayment({ ...decision, actor }),
    )
    await respond(ctx, deps.runtime, program, 200, (outcome) => ({
      result: outcome._tag === "Accepted" ? ("accepted" as const) : ("already_accepted" as const),
      order: adminOrderView(outcome.order),
    }))
  },
})

export const refundReviewRoute = defineRoute({
  method: "post",
  path: "/api/v1/admin/orders/{id}/review/refund",
  operationId: "adminRefundReviewedPayment",
  summary: "Refund everything a payment held for review captured, and close the order",
  tags,
  auth: "admin",
  idempotent: true,
  request,
  responses: {
    200: { description: "Refunded, or already refunded by an earlier call", schema: ReviewRefundAnswer },
  },
  errors: {
    404: ORDER_NOT_FOUND,
    409: NOT_IN_REVIEW,
    502: PAYMENT_PROVIDER_REFUSED,
    503: PROVIDER_OR_STORE_UNAVAILABLE,
  },
  handler: async (ctx, deps, { body }) => {
    const actor = actorOf(ctx.state)
    const program = Effect.flatMap(decided(ctx.params.id, body), (decision) =>
      refundReviewedPayment({ ...decision, actor }),
    )
    await respond(ctx, deps.runtime, program, 200, (outcome) => ({
      result: outcome._tag === "Refunded" ? ("refunded" as const) : ("already_refunded" as const),
      refund: refundView(outcome.refund, outcome.order),
      order: adminOrderView(outcome.order),
    }))
  },
})

export const adminReviewRoutes = [acceptReviewRoute, refundReviewRoute]
