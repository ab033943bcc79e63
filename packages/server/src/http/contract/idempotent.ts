import type { Context } from "koa"
import type { RouteDeps } from "../routeDeps.js"

/**
 * The one place an `idempotent: true` route meets the idempotency store. Until
 * `../idempotency.ts`'s `withIdempotency` lands this runs the request as is; wiring it is this line.
 */
export const runIdempotent = (
  _ctx: Context,
  _deps: RouteDeps,
  _request: { readonly operation: string; readonly body: unknown },
  handle: () => Promise<void>,
): Promise<void> => handle()
