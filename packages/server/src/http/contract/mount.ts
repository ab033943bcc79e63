import type Router from "@koa/router"
import type { Middleware } from "koa"
import { readJson } from "../body.js"
import type { RouteDeps } from "../routeDeps.js"
import { requireAdmin } from "../routes/adminGuard.js"
import type { MountedRoute } from "./exactRoutes.js"
import { runIdempotent } from "./idempotent.js"
import { requireMetricsToken } from "./metricsAuth.js"
import { koaPath, type RouteDeclaration } from "./route.js"

/** What mounting needs beyond each route's own deps: the metrics token (null: /metrics is open). */
export interface MountDeps extends RouteDeps {
  readonly metricsToken?: string | null
}

/** The operation a request was routed to, for logs and tests. */
export const operationOf = (state: Record<string, unknown>): string | null =>
  typeof state.operationId === "string" ? state.operationId : null

const authFor = <D extends MountDeps>(route: RouteDeclaration<D>, deps: D): ReadonlyArray<Middleware> => {
  switch (route.auth) {
    case "admin":
      return [requireAdmin(deps)]
    case "metrics":
      return [requireMetricsToken(deps.metricsToken)]
    case "none":
      return []
  }
}

/** No body read: the same (frozen) input for every request of such a route. */
const NO_BODY = Object.freeze({ body: undefined })

/**
 * The route's own step: records its operation, reads the JSON body when it takes one, runs the
 * handler, through the idempotency store when the route is idempotent. Chosen once per route, so a
 * request of a plain route (the probes) builds no closure of its own.
 */
const handlerFor = <D extends MountDeps>(route: RouteDeclaration<D>, deps: D): Middleware => {
  const { operationId } = route
  const takesJson = route.request?.body?.kind === "json"
  if (route.idempotent === true)
    return async (ctx) => {
      ctx.state.operationId = operationId
      const body = takesJson ? await readJson(ctx, deps.bodyLimitBytes) : undefined
      await runIdempotent(ctx, deps, { operation: operationId, body }, async () => {
        await route.handler(ctx, deps, { body })
      })
    }
  if (takesJson)
    return async (ctx) => {
      ctx.state.operationId = operationId
      const body = await readJson(ctx, deps.bodyLimitBytes)
      await route.handler(ctx, deps, { body })
    }
  return (ctx) => {
    ctx.state.operationId = operationId
    return route.handler(ctx, deps, NO_BODY)
  }
}

/**
 * Mounts every declaration on `router`: auth first (before a byte of the body is read), then the
 * JSON body when the route takes one, then the handler, through the idempotency store when the
 * route is idempotent. Answers what it mounted, for `exactRoutes`.
 */
export const mountRoutes = <D extends MountDeps>(
  router: Router,
  declarations: ReadonlyArray<RouteDeclaration<D>>,
  deps: D,
): ReadonlyArray<MountedRoute> =>
  declarations.map((route) => {
    const mounted = {
      method: route.method.toUpperCase(),
      path: koaPath(route.path),
      steps: [...authFor(route, deps), handlerFor(route, deps)],
    }
    router.register(mounted.path, [mounted.method], [...mounted.steps])
    return mounted
  })
