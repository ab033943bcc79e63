import type { Middleware } from "koa"

export type ObserveHttp = (method: string, route: string, status: number, seconds: number) => void

/**
 * Outermost middleware: times every request into http_request_duration_seconds, labelled with the
 * route TEMPLATE the router matched (`/api/v1/orders/:id`), never the raw path, so order ids cannot
 * turn into series. Requests no route matched are `unmatched`.
 */
export const timing =
  (observe: ObserveHttp): Middleware =>
  async (ctx, next) => {
    const start = process.hrtime.bigint()
    try {
      await next()
    } finally {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9
      const matched: unknown = (ctx as { _matchedRoute?: unknown })._matchedRoute
      observe(ctx.method, typeof matched === "string" ? matched : "unmatched", ctx.status, seconds)
    }
  }
