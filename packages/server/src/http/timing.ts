import type { Context } from "koa"

/** Records one request in http_request_duration_seconds (the access log calls it, see accessLog.ts). */
export type ObserveHttp = (method: string, route: string, status: number, seconds: number) => void

/**
 * The route TEMPLATE the router matched (`/api/v1/orders/:id`), never the raw path, so order ids cannot
 * turn into metric series or log fields to group by. Requests no route matched are `unmatched`.
 */
export const routeOf = (ctx: Context): string => {
  const matched: unknown = (ctx as { _matchedRoute?: unknown })._matchedRoute
  return typeof matched === "string" ? matched : "unmatched"
}
