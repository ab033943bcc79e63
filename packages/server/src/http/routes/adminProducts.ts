import type Router from "@koa/router"
import {
  addProductStock,
  archiveProduct,
  createProduct,
  getProduct,
  listProducts,
  updateProduct,
} from "@settle/domain"
import { readJson } from "../body.js"
import { respond } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"
import { productView } from "../views.js"
import { actorOf, requireAdmin } from "./adminGuard.js"

const one = (product: Parameters<typeof productView>[0]) => ({ product: productView(product) })

/** Catalog administration; every change is audited with the admin's identity by the use-case. */
export const adminProductRoutes = (router: Router, deps: RouteDeps): void => {
  const admin = requireAdmin(deps)
  const path = "/api/v1/admin/products"

  router.get(path, admin, (ctx) =>
    respond(ctx, deps.runtime, listProducts(), 200, (products) => ({ products: products.map(productView) })),
  )

  router.post(path, admin, async (ctx) => {
    const input = await readJson(ctx, deps.bodyLimitBytes)
    await respond(ctx, deps.runtime, createProduct(input, actorOf(ctx.state)), 201, (product) => {
      ctx.set("Location", `${path}/${product.id}`)
      return one(product)
    })
  })

  router.get(`${path}/:id`, admin, (ctx) =>
    respond(ctx, deps.runtime, getProduct(ctx.params.id ?? ""), 200, one),
  )

  router.patch(`${path}/:id`, admin, async (ctx) => {
    const input = await readJson(ctx, deps.bodyLimitBytes)
    await respond(ctx, deps.runtime, updateProduct(ctx.params.id ?? "", input, actorOf(ctx.state)), 200, one)
  })

  // Products are archived, never deleted: orders and ledger entries point at them.
  router.delete(`${path}/:id`, admin, (ctx) =>
    respond(ctx, deps.runtime, archiveProduct(ctx.params.id ?? "", actorOf(ctx.state)), 200, one),
  )

  router.post(`${path}/:id/stock`, admin, async (ctx) => {
    const input = await readJson(ctx, deps.bodyLimitBytes)
    await respond(
      ctx,
      deps.runtime,
      addProductStock(ctx.params.id ?? "", input, actorOf(ctx.state)),
      200,
      one,
    )
  })
}
