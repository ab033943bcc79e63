import type Router from "@koa/router"
import type { PrometheusRegistry } from "@settle/adapters"
import { OrderId, OrderRepository } from "@settle/domain"
import { Cause, Effect, Exit, Option } from "effect"
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

/** Probes and the Prometheus scrape. */
export const healthRoutes = (
  router: Router,
  deps: RouteDeps & { readonly readiness: Readiness; readonly registry: PrometheusRegistry },
): void => {
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
  const storeState = storeReachability(async () => {
    const exit = await deps.runtime.runPromiseExit(ping)
    if (Exit.isSuccess(exit)) return
    const failure = Cause.failureOption(exit.cause)
    throw Option.isSome(failure) ? failure.value : new NotReady({ reason: "the store is unavailable" })
  }, READINESS)

  // Liveness: the process answers. It never touches the store, or a database outage would restart us.
  router.get("/healthz", (ctx) => {
    json(ctx, 200, { status: "ok" })
  })

  router.get("/readyz", async (ctx) => {
    if (deps.readiness.draining) throw new NotReady({ reason: "shutting down" })
    json(ctx, 200, { status: "ready", store: await storeState() })
  })

  router.get("/metrics", async (ctx) => {
    const text = await deps.registry.metrics()
    ctx.status = 200
    ctx.type = deps.registry.contentType
    ctx.body = text
  })
}
