import type Router from "@koa/router"
import { OrderRepository, replayFinalization } from "@settle/domain"
import { Effect, Option } from "effect"
import { readJson } from "../body.js"
import { respond } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"
import { actorOf, requireAdmin } from "./adminGuard.js"
import { decodeReplayBody } from "./adminOrderBodies.js"
import { adminOrderView } from "./adminOrderViews.js"

/**
 * Runbook scenario 1, recovery step 2: "re-trigger webhook handler using the exact sessionId" (or the
 * recorded Stripe event). Refused with ALREADY_FINALIZED once `webhook.processedAt` is set, since
 * retries are safe only before; the use-case audits it with the token's actor and the reason.
 */
export const adminPaymentRoutes = (router: Router, deps: RouteDeps): void => {
  const admin = requireAdmin(deps)

  router.post("/api/v1/admin/payments/replay", admin, async (ctx) => {
    const actor = actorOf(ctx.state)
    const input = await readJson(ctx, deps.bodyLimitBytes)
    const program = Effect.gen(function* () {
      const target = yield* decodeReplayBody(input)
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
  })
}
