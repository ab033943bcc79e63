import type Router from "@koa/router"
import { setScope } from "../answerErrors.js"
import { readRawJson } from "../body.js"
import { respond } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"
import { receiveStripeDelivery } from "../stripeDelivery.js"

/** Stripe's endpoint; what each answer means to Stripe is in stripeDelivery.ts. */
export const webhookRoutes = (router: Router, deps: RouteDeps): void => {
  router.post("/api/v1/webhooks/stripe", async (ctx) => {
    setScope(ctx.state, "webhook")
    // The signature covers these exact bytes; never parse and re-serialize before verifying.
    const raw = await readRawJson(ctx, deps.bodyLimitBytes)
    await respond(
      ctx,
      deps.runtime,
      receiveStripeDelivery(raw, ctx.get("Stripe-Signature")),
      200,
      (body) => body,
    )
  })
}
