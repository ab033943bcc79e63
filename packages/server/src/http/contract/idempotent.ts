import type { Context } from "koa"
import { withIdempotency } from "../idempotency.js"
import type { RouteDeps } from "../routeDeps.js"

/** The one place an `idempotent: true` route meets the idempotency store (`../idempotency.ts`). */
export const runIdempotent = (
  ctx: Context,
  deps: RouteDeps,
  request: { readonly operation: string; readonly body: unknown },
  handle: () => Promise<void>,
): Promise<void> => withIdempotency(ctx, deps, request, handle)
