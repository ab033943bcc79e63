import { OrderRepository, replayFinalization } from "@settle/domain"
import { Effect, Option } from "effect"
import { defineRoute } from "../contract/route.js"
import { respond } from "../respond.js"
import { ReplayAnswer } from "../schemas/payments.js"
import { actorOf } from "./adminGuard.js"
import { decodeReplayBody, ReplayBodyDocument } from "./adminOrderBodies.js"
import { adminOrderView } from "./adminOrderViews.js"
import { PAYMENT_PROVIDER_REFUSED, PROVIDER_OR_STORE_UNAVAILABLE } from "./adminRefusals.js"

/**
 * Runbook scenario 1, recovery step 2: "re-trigger webhook handler using the exact sessionId" (or the
 * recorded Stripe event). Refused with ALREADY_FINALIZED once `webhook.processedAt` is set, since
 * retries are safe only before; the use-case audits it with the token's actor and the reason.
 */
export const replayPaymentRoute = defineRoute({
  method: "post",
  path: "/api/v1/admin/payments/replay",
  operationId: "adminReplayPayment",
  summary: "Re-run a payment's finalization by session id or recorded Stripe event id",
  description: "Give exactly one of `sessionId` and `stripeEventId`, and a reason.",
  tags: ["admin: payments"],
  auth: "admin",
  idempotent: true,
  request: { body: { kind: "json", schema: ReplayBodyDocument } },
  responses: { 200: { description: "What the replay did, and the order after it", schema: ReplayAnswer } },
  errors: {
    404: {
      description: "No order for the session, or no such recorded event",
      codes: ["ORDER_NOT_FOUND", "EVENT_NOT_FOUND"],
    },
    409: {
      description: "`webhook.processedAt` is set: retrying could only do harm",
      codes: ["ALREADY_FINALIZED"],
    },
    502: PAYMENT_PROVIDER_REFUSED,
    503: PROVIDER_OR_STORE_UNAVAILABLE,
  },
  handler: async (ctx, deps, { body }) => {
    const actor = actorOf(ctx.state)
    const program = Effect.gen(function* () {
      const target = yield* decodeReplayBody(body)
      const replay = yield* replayFinalization({ ...target, actor })
      const stripeEventId = "stripeEventId" in target ? target.stripeEventId : null
      yield* Effect.logInfo(
        `[stripe.webhook] admin replay of order ${replay.orderId}: ${replay.result}`,
      ).pipe(Effect.annotateLogs({ orderId: replay.orderId, stripeEventId, actor }))
      const order = yield* (yield* OrderRepository).findById(replay.orderId)
      return { replay, order }
    })
    await respond(ctx, deps.runtime, program, 200, ({ replay, order }) => ({
      replay: { orderId: replay.orderId, result: replay.result, status: replay.status },
      order: Option.match(order, { onNone: () => null, onSome: adminOrderView }),
    }))
  },
})

export const adminPaymentRoutes = [replayPaymentRoute]
