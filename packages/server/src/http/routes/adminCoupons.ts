import type Router from "@koa/router"
import { createCoupon, deactivateCoupon, getCoupon, listCoupons, updateCoupon } from "@settle/domain"
import { readJson } from "../body.js"
import { respond } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"
import { couponView } from "../views.js"
import { actorOf, requireAdmin } from "./adminGuard.js"

const one = (coupon: Parameters<typeof couponView>[0]) => ({ coupon: couponView(coupon) })

/** Coupon administration; capacity counters are never input, only maxRedemptions at creation. */
export const adminCouponRoutes = (router: Router, deps: RouteDeps): void => {
  const admin = requireAdmin(deps)
  const path = "/api/v1/admin/coupons"

  router.get(path, admin, (ctx) =>
    respond(ctx, deps.runtime, listCoupons(), 200, (coupons) => ({ coupons: coupons.map(couponView) })),
  )

  router.post(path, admin, async (ctx) => {
    const input = await readJson(ctx, deps.bodyLimitBytes)
    await respond(ctx, deps.runtime, createCoupon(input, actorOf(ctx.state)), 201, (coupon) => {
      ctx.set("Location", `${path}/${coupon.id}`)
      return one(coupon)
    })
  })

  router.get(`${path}/:id`, admin, (ctx) =>
    respond(ctx, deps.runtime, getCoupon(ctx.params.id ?? ""), 200, one),
  )

  router.patch(`${path}/:id`, admin, async (ctx) => {
    const input = await readJson(ctx, deps.bodyLimitBytes)
    await respond(ctx, deps.runtime, updateCoupon(ctx.params.id ?? "", input, actorOf(ctx.state)), 200, one)
  })

  // Coupons are deactivated, never deleted: reservations and orders point at them.
  router.delete(`${path}/:id`, admin, (ctx) =>
    respond(ctx, deps.runtime, deactivateCoupon(ctx.params.id ?? "", actorOf(ctx.state)), 200, one),
  )
}
