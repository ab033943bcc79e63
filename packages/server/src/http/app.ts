import Router from "@koa/router"
import type { PrometheusRegistry } from "@settle/adapters"
import Koa, { type Middleware } from "koa"
import type { JobRunner } from "../jobs/runner.js"
import type { SandboxDeps } from "../sandbox/routes.js"
import { accessLog } from "./accessLog.js"
import { answerErrors } from "./answerErrors.js"
import { routeDeclarations } from "./contract/declarations.js"
import { exactRoutes } from "./contract/exactRoutes.js"
import { mountRoutes } from "./contract/mount.js"
import { type CorsOrigins, cors, NO_CORS } from "./cors.js"
import { MethodNotAllowed, RouteNotFound } from "./rejections.js"
import type { RouteDeps } from "./routeDeps.js"
import type { Readiness } from "./routes/health.js"
import { securityHeaders } from "./securityHeaders.js"

export interface AppOptions extends RouteDeps {
  readonly registry: PrometheusRegistry
  readonly readiness: Readiness
  /** The pay page and its controls; null unless the sandbox gateway is in use. */
  readonly sandbox: SandboxDeps | null
  /** The background jobs, for their admin status and triggers. */
  readonly jobs: JobRunner
  /** MEDIA_MAX_BYTES: a larger admin upload is refused with 413. */
  readonly mediaMaxBytes: number
  /** CORS_ORIGINS / CORS_ADMIN_ORIGINS; absent: no cross-origin access. */
  readonly cors?: CorsOrigins
  /** METRICS_TOKEN: `/metrics` asks for `Authorization: Bearer <token>`; null or absent leaves it open. */
  readonly metricsToken?: string | null
}

/** After the router: a path no route knows is a 404, a known path with another method a 405. */
const unrouted =
  (router: Router): Middleware =>
  (ctx) => {
    const allowed = new Set(router.match(ctx.path, ctx.method).path.flatMap((layer) => layer.methods))
    if (allowed.size > 0) throw new MethodNotAllowed({ method: ctx.method, allowed: [...allowed].sort() })
    throw new RouteNotFound({ method: ctx.method, path: ctx.path })
  }

const mounted = (options: AppOptions) => {
  const router = new Router()
  return { router, routes: mountRoutes(router, routeDeclarations, options) }
}

/** Every declared route, and nothing else: the contract test compares its routes with the document. */
export const buildRouter = (options: AppOptions): Router => mounted(options).router

/**
 * The Koa application: the access log (and request timing) outermost, then the one error path, then
 * the routes: those without parameters by exact path, the rest through the router.
 */
export const makeApp = (options: AppOptions): Koa => {
  const { router, routes } = mounted(options)
  const app = new Koa()
  // Errors are answered and logged by answerErrors; Koa's own stderr printing would only duplicate them.
  app.silent = true
  app.use(accessLog(options.logger, options.registry.observeHttp))
  // Before the error path, so refusals, 404 and 405 carry the headers too.
  app.use(securityHeaders())
  app.use(cors(options.cors ?? NO_CORS))
  app.use(answerErrors(options.logger))
  app.use(exactRoutes(router, routes))
  app.use(unrouted(router))
  return app
}
