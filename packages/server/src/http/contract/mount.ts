import type Router from "@koa/router"
import type { Middleware } from "koa"
import { readJson } from "../body.js"
import type { RouteDeps } from "../routeDeps.js"
import { requireAdmin } from "../routes/adminGuard.js"
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

/**
 * Mounts every declaration on `router`: auth first (before a byte of the body is read), then the
 * JSON body when the route takes one, then the handler, through the idempotency store when the
 * route is idempotent.
 */
export const mountRoutes = <D extends MountDeps>(
  router: Router,
  declarations: ReadonlyArray<RouteDeclaration<D>>,
  deps: D,
): void => {
  for (const route of declarations) {
    const handle: Middleware = async (ctx) => {
      ctx.state.operationId = route.operationId
      const body = route.request?.body?.kind === "json" ? await readJson(ctx, deps.bodyLimitBytes) : undefined
      const answer = async () => {
        await route.handler(ctx, deps, { body })
      }
      if (route.idempotent === true) {
        await runIdempotent(ctx, deps, { operation: route.operationId, body }, answer)
      } else {
        await answer()
      }
    }
    router.register(koaPath(route.path), [route.method.toUpperCase()], [...authFor(route, deps), handle])
  }
}
