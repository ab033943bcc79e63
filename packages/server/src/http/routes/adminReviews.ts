import type Router from "@koa/router"
import { acceptReviewedPayment, refundReviewedPayment } from "@settle/domain"
import { Effect } from "effect"
import { readJson } from "../body.js"
import { respond } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"
import { actorOf, requireAdmin } from "./adminGuard.js"
import { decodeReviewBody, orderIdOf } from "./adminOrderBodies.js"
import { adminOrderView, refundView } from "./adminOrderViews.js"

/**
 * A payment held in `payment_review` (amount or currency mismatch, or a late payment whose capacity was
 * gone) waits for a human: accept it as received, or refund what was captured and close the order. One
 * order per call, a reason required, audited by the use-case with the token's actor; a repeat answers
 * 200 with what the first call did (`already_…`), and any other status is a 409 ILLEGAL_TRANSITION.
 */
export const adminReviewRoutes = (router: Router, deps: RouteDeps): void => {
  const admin = requireAdmin(deps)
  const path = "/api/v1/admin/orders/:id/review"

  const decided = (rawId: string | undefined, input: unknown) =>
    Effect.gen(function* () {
      const orderId = yield* orderIdOf(rawId)
      const { reason } = yield* decodeReviewBody(input)
      return { orderId, reason }
    })

  router.post(`${path}/accept`, admin, async (ctx) => {
    const actor = actorOf(ctx.state)
    const input = await readJson(ctx, deps.bodyLimitBytes)
    const program = Effect.flatMap(decided(ctx.params.id, input), (decision) =>
      acceptReviewedPayment({ ...decision, actor }),
    )
    await respond(ctx, deps.runtime, program, 200, (outcome) => ({
      result: outcome._tag === "Accepted" ? "accepted" : "already_accepted",
      order: adminOrderView(outcome.order),
    }))
  })

  router.post(`${path}/refund`, admin, async (ctx) => {
    const actor = actorOf(ctx.state)
    const input = await readJson(ctx, deps.bodyLimitBytes)
    const program = Effect.flatMap(decided(ctx.params.id, input), (decision) =>
      refundReviewedPayment({ ...decision, actor }),
    )
    await respond(ctx, deps.runtime, program, 200, (outcome) => ({
      result: outcome._tag === "Refunded" ? "refunded" : "already_refunded",
      refund: refundView(outcome.refund, outcome.order),
      order: adminOrderView(outcome.order),
    }))
  })
}
