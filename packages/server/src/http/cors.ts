import koaCors from "@koa/cors"
import type { Context, Middleware } from "koa"

/** CORS_ORIGINS and CORS_ADMIN_ORIGINS: exact browser origins (`https://shop.example`), never `*`. */
export interface CorsOrigins {
  /** May call the shop routes: `/api/v1/checkout` and `/api/v1/orders/*`. */
  readonly shopOrigins: ReadonlyArray<string>
  /** May call `/api/v1/admin/*`; empty unless an admin UI runs on another origin. */
  readonly adminOrigins: ReadonlyArray<string>
}

export const NO_CORS: CorsOrigins = { shopOrigins: [], adminOrigins: [] }

/** What a storefront reads back: where the order is, whether it was a replay, what to quote, when to retry. */
export const EXPOSED_HEADERS = ["Location", "Idempotent-Replayed", "X-Request-Id", "Retry-After"]
export const SHOP_HEADERS = ["Content-Type", "Idempotency-Key", "X-Order-Token"]
export const ADMIN_HEADERS = [...SHOP_HEADERS, "Authorization"]
/** How long a browser may cache a preflight answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600

const isShopPath = (path: string) => path === "/api/v1/checkout" || path.startsWith("/api/v1/orders/")
const isAdminPath = (path: string) => path.startsWith("/api/v1/admin/")

/**
 * One @koa/cors instance per scope, each answering only an allow-listed Origin. Credentials are never
 * allowed (no `Access-Control-Allow-Credentials`): the API takes tokens in headers, not cookies, so a
 * browser's ambient credentials never reach it from another origin. A refused origin's preflight is
 * answered 204 without any Access-Control header, which the browser treats as a refusal; a refused
 * origin's actual request is served without them, so its page cannot read the answer.
 */
const scoped = (
  allowed: ReadonlyArray<string>,
  methods: ReadonlyArray<string>,
  headers: ReadonlyArray<string>,
) => {
  const origins = new Set(allowed)
  const middleware = koaCors({
    origin: (ctx: Context) => (origins.has(ctx.get("Origin")) ? ctx.get("Origin") : ""),
    credentials: false,
    allowMethods: [...methods],
    allowHeaders: [...headers],
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  })
  const refusedPreflight = (ctx: Context) =>
    ctx.method === "OPTIONS" &&
    ctx.get("Access-Control-Request-Method") !== "" &&
    !origins.has(ctx.get("Origin"))
  return { middleware, refusedPreflight }
}

export const cors = (config: CorsOrigins): Middleware => {
  const shop = scoped(config.shopOrigins, ["GET", "POST"], SHOP_HEADERS)
  const admin = scoped(config.adminOrigins, ["GET", "POST", "PUT", "PATCH", "DELETE"], ADMIN_HEADERS)
  // Not async: the probes, the webhook and the pages are out of every scope and go straight on.
  return (ctx, next) => {
    const path = ctx.path
    const scope = isShopPath(path) ? shop : isAdminPath(path) ? admin : null
    if (scope === null) return next()
    if (scope.refusedPreflight(ctx)) {
      ctx.vary("Origin")
      ctx.status = 204
      return undefined
    }
    return scope.middleware(ctx, next)
  }
}
