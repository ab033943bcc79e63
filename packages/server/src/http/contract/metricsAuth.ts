import { createHash, timingSafeEqual } from "node:crypto"
import type { Middleware } from "koa"
import { errorBody } from "../errors.js"

const digest = (text: string): Buffer => createHash("sha256").update(text).digest()

/**
 * `/metrics` behind `Authorization: Bearer <token>` when METRICS_TOKEN is set, open when it is null.
 * Both sides are hashed first so the comparison takes the same time whatever the length sent.
 */
export const requireMetricsToken =
  (token: string | null | undefined): Middleware =>
  async (ctx, next) => {
    if (token === null || token === undefined) return next()
    const header = ctx.get("Authorization")
    const sent = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : null
    if (sent !== null && timingSafeEqual(digest(sent), digest(token))) return next()
    const reason = sent === null ? "missing" : "bad_token"
    ctx.status = 401
    ctx.set("WWW-Authenticate", `Bearer realm="metrics"`)
    ctx.body = errorBody({
      status: 401,
      code: "UNAUTHORIZED",
      message: "the metrics endpoint needs Authorization: Bearer <METRICS_TOKEN>",
      details: { reason },
      headers: {},
    })
  }
