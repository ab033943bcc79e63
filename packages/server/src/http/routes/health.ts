import type Router from "@koa/router"
import type { PrometheusRegistry } from "@settle/adapters"
import { OrderRepository } from "@settle/domain"
import { Effect } from "effect"
import { NotReady } from "../rejections.js"
import { json, run } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"

/** Flipped by the shutdown sequence, so a load balancer stops routing here before the port closes. */
export interface Readiness {
  draining: boolean
}

const STORE_PROBE_TIMEOUT = "2 seconds"

/** Probes and the Prometheus scrape. */
export const healthRoutes = (
  router: Router,
  deps: RouteDeps & { readonly readiness: Readiness; readonly registry: PrometheusRegistry },
): void => {
  // Liveness: the process answers. It never touches the store, or a database outage would restart us.
  router.get("/healthz", (ctx) => {
    json(ctx, 200, { status: "ok" })
  })

  router.get("/readyz", async (ctx) => {
    if (deps.readiness.draining) throw new NotReady({ reason: "shutting down" })
    const probe = Effect.flatMap(OrderRepository, (orders) => orders.health()).pipe(
      Effect.timeoutFail({
        duration: STORE_PROBE_TIMEOUT,
        onTimeout: () => new NotReady({ reason: "the store did not answer in time" }),
      }),
      Effect.tapError((error) => Effect.logWarning(`[db] readiness probe failed: ${error._tag}`)),
      Effect.mapError((error) =>
        error._tag === "NotReady" ? error : new NotReady({ reason: "the store is unavailable" }),
      ),
    )
    await run(ctx, deps.runtime, probe)
    json(ctx, 200, { status: "ready", store: "ok" })
  })

  router.get("/metrics", async (ctx) => {
    const text = await deps.registry.metrics()
    ctx.status = 200
    ctx.type = deps.registry.contentType
    ctx.body = text
  })
}
