import type { Context, Middleware } from "koa"

export type ObserveHttp = (method: string, route: string, status: number, seconds: number) => void

/**
 * The route TEMPLATE the router matched (`/api/v1/orders/:id`), never the raw path, so order ids cannot
 * turn into metric series or log fields to group by. Requests no route matched are `unmatched`.
 */
export const routeOf = (ctx: Context): string => {
  const matched: unknown = (ctx as { _matchedRoute?: unknown })._matchedRoute
  return typeof matched === "string" ? matched : "unmatched"
}

/** Times every request into http_request_duration_seconds, labelled with its route template. */
export const timing =
  (observe: ObserveHttp): Middleware =>
  async (ctx, next) => {
    const start = process.hrtime.bigint()
    try {
      await next()
    } finally {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9
      observe(ctx.method, routeOf(ctx), ctx.status, seconds)
    }
  }
