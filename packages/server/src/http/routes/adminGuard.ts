import { Effect } from "effect"
import type { Middleware } from "koa"
import { AdminAuth, auditActor } from "../../auth/AdminAuth.js"
import { run } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"

/** The admin's name as the audit log records it. */
export const actorOf = (state: Record<string, unknown>): string => {
  const actor = state.actor
  // Only reachable by mounting an admin route without the guard: a wiring bug, answered 500.
  if (typeof actor !== "string") throw new Error("admin route reached without the admin guard")
  return actor
}

/**
 * Runs on every admin route before its handler, so a missing or bad token is refused (401/403) before
 * a single byte of the body is read: the runbook's "401 before request body is sent".
 */
export const requireAdmin =
  (deps: RouteDeps): Middleware =>
  async (ctx, next) => {
    const header = ctx.get("Authorization")
    const verify = Effect.flatMap(AdminAuth, (auth) => auth.verify(header === "" ? undefined : header))
    ctx.state.actor = auditActor(await run(ctx, deps.runtime, verify))
    await next()
  }
