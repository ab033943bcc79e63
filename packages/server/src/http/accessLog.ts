import type { Middleware } from "koa"
import type { Logger } from "pino"
import { REQUEST_ID_HEADER, requestIdFor } from "./requestId.js"
import { routeOf } from "./timing.js"

/** Polled every few seconds by orchestrators and Prometheus: answered, they are noise at info. */
const PROBES = new Set(["/healthz", "/readyz", "/metrics"])

/**
 * Outermost middleware: gives the request its id (the client's sane `X-Request-Id`, or a new one),
 * echoes it, and writes one access-log record when the answer is known, with the same route label
 * as http_request_duration_seconds. The id rides on `ctx.state` to the request's other log lines.
 */
export const accessLog =
  (logger: Logger): Middleware =>
  async (ctx, next) => {
    const requestId = requestIdFor(ctx.get(REQUEST_ID_HEADER))
    ctx.state.requestId = requestId
    ctx.set(REQUEST_ID_HEADER, requestId)
    const start = process.hrtime.bigint()
    try {
      await next()
    } finally {
      const durationMs = Math.round(Number(process.hrtime.bigint() - start) / 1e4) / 100
      const route = routeOf(ctx)
      const level = PROBES.has(route) && ctx.status < 400 ? "debug" : "info"
      logger[level](
        { requestId, method: ctx.method, route, status: ctx.status, durationMs },
        `[http] ${ctx.method} ${route} ${ctx.status}`,
      )
    }
  }
