import type { Middleware } from "koa"
import type { Logger } from "pino"
import { givenRequestId, REQUEST_ID_HEADER, requestIdFor } from "./requestId.js"
import { type ObserveHttp, routeOf } from "./timing.js"

/** Polled every few seconds by orchestrators and Prometheus: answered, they are noise at info. */
const PROBES = new Set(["/healthz", "/readyz", "/metrics"])

/**
 * Outermost middleware: gives the request its id (the client's sane `X-Request-Id`, or a new one),
 * echoes it, and once the answer is known times it into http_request_duration_seconds and writes one
 * access-log record with the same route label. One clock read at each end serves both, so the
 * histogram and the log line agree and a probe pays one timing pass, not two (`performance.now()`:
 * monotonic, sub-microsecond, and no BigInt to allocate). The id rides on `ctx.state` to the
 * request's other log lines.
 */
export const accessLog = (logger: Logger, observe: ObserveHttp): Middleware => {
  const record = (
    level: "debug" | "info",
    requestId: string,
    method: string,
    route: string,
    status: number,
    durationMs: number,
  ) => logger[level]({ requestId, method, route, status, durationMs }, `[http] ${method} ${route} ${status}`)
  return async (ctx, next) => {
    const requestId = requestIdFor(givenRequestId(ctx.req.rawHeaders))
    ctx.state.requestId = requestId
    ctx.res.setHeader(REQUEST_ID_HEADER, requestId)
    const start = performance.now()
    try {
      await next()
    } finally {
      const ms = performance.now() - start
      const { method, status } = ctx
      const route = routeOf(ctx)
      observe(method, route, status, ms / 1000)
      const level = PROBES.has(route) && status < 400 ? "debug" : "info"
      // Answered probes at the default level: no record is built for a line pino would drop.
      if (logger.isLevelEnabled(level))
        record(level, requestId, method, route, status, Math.round(ms * 100) / 100)
    }
  }
}
