import type Router from "@koa/router"
import { createCheckout } from "@settle/domain"
import { readJson } from "../body.js"
import { orderForToken } from "../orderAccess.js"
import { OrderTokenRequired } from "../rejections.js"
import { json, respond, run } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"
import { orderView } from "../views.js"

/** The shopper's API: open a checkout, then read the order back with its access token. */
export const checkoutRoutes = (router: Router, deps: RouteDeps): void => {
  router.post("/api/v1/checkout", async (ctx) => {
    const input = await readJson(ctx, deps.bodyLimitBytes)
    const checkout = createCheckout(input, { reservationTtlMs: deps.reservationTtlMs })
    await respond(ctx, deps.runtime, checkout, 201, ({ order, paymentUrl }) => {
      ctx.set("Location", `/api/v1/orders/${order.id}`)
      // The token is shown once, here: it is the shopper's only key to the order.
      return { order: orderView(order), accessToken: order.accessToken, paymentUrl }
    })
  })

  router.get("/api/v1/orders/:id", async (ctx) => {
    const query = ctx.query.token
    const token = ctx.get("X-Order-Token") || (typeof query === "string" ? query : "")
    if (token === "") throw new OrderTokenRequired()
    const order = await run(ctx, deps.runtime, orderForToken(ctx.params.id ?? "", token))
    ctx.set("Cache-Control", "no-store")
    json(ctx, 200, { order: orderView(order) })
  })
}
