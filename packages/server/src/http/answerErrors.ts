import type { IncomingMessage } from "node:http"
import { capQuoted } from "@settle/domain"
import type { Middleware } from "koa"
import type { Logger } from "pino"
import { errorBody, type Problem, problemFor, type Scope } from "./errors.js"
import { requestIdOf } from "./requestId.js"

/** Routes whose failures read differently (the webhook) say so before running their use-case. */
export const setScope = (state: Record<string, unknown>, scope: Scope): void => {
  state.scope = scope
}

const hasUnreadBody = (req: IncomingMessage): boolean =>
  !req.readableEnded &&
  (req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0)

/**
 * The last guard on what an error echoes: whatever a rule put in the message or a detail, no string
 * in the answer quotes more than MAX_QUOTED_CHARS of it (a 200 KB name comes back as 200 characters).
 * idempotency.ts stores answers through it too, so a replay is the answer the client got.
 */
export const capped = (problem: Problem): Problem => ({
  ...problem,
  message: capQuoted(problem.message),
  details: Object.fromEntries(
    Object.entries(problem.details).map(([key, value]) => [
      key,
      typeof value === "string" ? capQuoted(value) : value,
    ]),
  ),
})

/** What the log keeps of a 5xx: the tag and message, a defect's pretty cause, a bug's stack. */
const describe = (error: unknown): unknown => {
  if (typeof error !== "object" || error === null) return error
  const { _tag, message, detail, cause, stack } = error as Record<string, unknown>
  return {
    _tag,
    message,
    detail,
    cause: cause === undefined ? undefined : String(cause),
    stack: _tag === undefined ? stack : undefined,
  }
}

/**
 * The one error path: whatever a route throws becomes `{ error: { code, message, details } }` with
 * the status `errors.ts` gives its `_tag`. 5xx causes are logged here and never sent.
 */
export const answerErrors =
  (logger: Logger): Middleware =>
  async (ctx, next) => {
    try {
      await next()
    } catch (error) {
      const scope: Scope = ctx.state.scope === "webhook" ? "webhook" : "api"
      const problem: Problem = problemFor(error, scope)
      const where = `${ctx.method} ${ctx.path}`
      const requestId = requestIdOf(ctx)
      if (problem.status >= 500) {
        const prefix = scope === "webhook" ? "[stripe.webhook]" : "[http]"
        logger.error(
          { requestId, err: describe(error), status: problem.status },
          `${prefix} ${where} failed: ${problem.code}`,
        )
      } else {
        logger.debug({ requestId, status: problem.status, code: problem.code }, `[http] ${where} refused`)
      }
      ctx.status = problem.status
      for (const [name, value] of Object.entries(problem.headers)) ctx.set(name, value)
      // Refused before its body was read (401 on an admin upload, 415, 413): do not wait for the rest
      // of it on a keep-alive connection; close once answered.
      if (hasUnreadBody(ctx.req)) ctx.set("Connection", "close")
      ctx.body = errorBody(capped(problem))
    }
  }
