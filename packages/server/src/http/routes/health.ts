import type { PrometheusRegistry } from "@settle/adapters"
import { OrderId, OrderRepository } from "@settle/domain"
import { Cause, Effect, Exit, Option, Schema } from "effect"
import { RETRY_AFTER } from "../contract/commonErrors.js"
import { defineRoute } from "../contract/route.js"
import { NotReady } from "../rejections.js"
import { json } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"

/** Flipped by the shutdown sequence, so a load balancer stops routing here before the port closes. */
export interface Readiness {
  draining: boolean
}

export interface ReachabilityOptions {
  /** How long a probe waits for the ping before a recent success answers for it. */
  readonly answerWithinMs: number
  /** A success this recent still counts as reachable while a ping is slow: the store is busy, not gone. */
  readonly recentMs: number
}

/** "slow": the ping has not answered yet, but the store answered one within `recentMs`. */
export type StoreState = "ok" | "slow"

const READINESS: ReachabilityOptions = { answerWithinMs: 1_000, recentMs: 30_000 }

/** Long enough for a store busy with a delivery storm; a store that does not answer by then is gone. */
const PING_TIMEOUT = "10 seconds"

/** No order has this id: looking it up is one indexed read, unlike the health counts that scan under load. */
const PROBE_ID = OrderId.make("readiness-probe")

const elapsed = (ms: number) =>
  new Promise<"elapsed">((resolve) => setTimeout(resolve, ms, "elapsed").unref())

/**
 * Readiness says whether the store is reachable, not whether it is busy: one ping in flight at a time
 * (probes arriving meanwhile share it, so a loaded store is not pinged harder), a failed ping answers
 * NOT_READY at once (a connection error), and a ping slower than `answerWithinMs` is not held against a
 * store that answered within the last `recentMs`. `ping` rejects with NotReady.
 */
export const storeReachability = (
  ping: () => Promise<void>,
  options: ReachabilityOptions,
  now: () => number = Date.now,
) => {
  let lastReached: number | null = null
  let inFlight: Promise<void> | null = null
  const pingOnce = (): Promise<void> => {
    inFlight ??= ping()
      .then(() => {
        lastReached = now()
      })
      .finally(() => {
        inFlight = null
      })
    return inFlight
  }
  return async (): Promise<StoreState> => {
    const answer = pingOnce()
    if ((await Promise.race([answer, elapsed(options.answerWithinMs)])) !== "elapsed") return "ok"
    // The race already handles a late failure of `answer`: the ping logs it, and the next probe sees it.
    if (lastReached !== null && now() - lastReached <= options.recentMs) return "slow"
    await answer
    return "ok"
  }
}

type HealthDeps = RouteDeps & { readonly readiness: Readiness; readonly registry: PrometheusRegistry }

const pingOf = (deps: RouteDeps) => {
  const ping = Effect.flatMap(OrderRepository, (orders) => orders.findById(PROBE_ID)).pipe(
    Effect.timeoutFail({
      duration: PING_TIMEOUT,
      onTimeout: () => new NotReady({ reason: "the store did not answer in time" }),
    }),
    Effect.tapError((error) => Effect.logWarning(`[db] readiness probe failed: ${error._tag}`)),
    Effect.mapError((error) =>
      error._tag === "NotReady" ? error : new NotReady({ reason: "the store is unavailable" }),
    ),
  )
  return storeReachability(async () => {
    const exit = await deps.runtime.runPromiseExit(ping)
    if (Exit.isSuccess(exit)) return
    const failure = Cause.failureOption(exit.cause)
    throw Option.isSome(failure) ? failure.value : new NotReady({ reason: "the store is unavailable" })
  }, READINESS)
}

/** One reachability tracker per app (its shared in-flight ping and last success), made on first probe. */
const trackers = new WeakMap<RouteDeps, () => Promise<StoreState>>()
const storeStateOf = (deps: RouteDeps): (() => Promise<StoreState>) => {
  const known = trackers.get(deps)
  if (known !== undefined) return known
  const made = pingOf(deps)
  trackers.set(deps, made)
  return made
}

const NOT_READY = {
  description: "The store is unreachable or the process is draining for shutdown; retry after `Retry-After`",
  codes: ["NOT_READY"],
  headers: RETRY_AFTER,
}

/** Liveness: the process answers. It never touches the store, or a database outage would restart us. */
export const livenessRoute = defineRoute({
  method: "get",
  path: "/healthz",
  operationId: "liveness",
  summary: "Liveness probe: the process answers",
  tags: ["health"],
  auth: "none",
  responses: {
    200: {
      description: "The process is alive",
      schema: Schema.Struct({ status: Schema.Literal("ok") }),
    },
  },
  handler: (ctx) => {
    json(ctx, 200, { status: "ok" })
  },
})

export const readinessRoute = defineRoute<HealthDeps>({
  method: "get",
  path: "/readyz",
  operationId: "readiness",
  summary: "Readiness probe: the store is reachable and the process is not draining",
  tags: ["health"],
  auth: "none",
  responses: {
    200: {
      description: "Ready; `store` is `slow` when the ping is late but the store answered recently",
      schema: Schema.Struct({ status: Schema.Literal("ready"), store: Schema.Literal("ok", "slow") }),
    },
  },
  errors: { 503: NOT_READY },
  handler: async (ctx, deps) => {
    if (deps.readiness.draining) throw new NotReady({ reason: "shutting down" })
    json(ctx, 200, { status: "ready", store: await storeStateOf(deps)() })
  },
})

export const metricsRoute = defineRoute<HealthDeps>({
  method: "get",
  path: "/metrics",
  operationId: "metrics",
  summary: "The Prometheus scrape",
  description: "Open unless METRICS_TOKEN is set; then `Authorization: Bearer <METRICS_TOKEN>` is required.",
  tags: ["health"],
  auth: "metrics",
  responses: {
    200: { description: "The Prometheus text exposition format", content: "text/plain" },
  },
  handler: async (ctx, deps) => {
    const text = await deps.registry.metrics()
    ctx.status = 200
    ctx.type = deps.registry.contentType
    ctx.body = text
  },
})

/** Probes and the Prometheus scrape. */
export const healthRoutes = [livenessRoute, readinessRoute, metricsRoute]
