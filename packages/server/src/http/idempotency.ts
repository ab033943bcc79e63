import { createHash } from "node:crypto"
import { Readable } from "node:stream"
import { InvalidInput, idempotentRequest, type StoredAnswer } from "@settle/domain"
import { Cause, Effect, Exit, Option } from "effect"
import type { Context } from "koa"
import { capped } from "./answerErrors.js"
import { errorBody, problemFor } from "./errors.js"
import { run } from "./respond.js"
import type { RouteDeps } from "./routeDeps.js"

export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
export const IDEMPOTENT_REPLAYED_HEADER = "Idempotent-Replayed"
/** Stripe's limit on a key's length. */
export const MAX_IDEMPOTENCY_KEY_CHARS = 255

/** Of a successful answer's headers, those that belong to the answer rather than to this response. */
const REPLAYED_HEADERS = ["location"] as const

/** The client's key: null when it sent none; an empty or overlong key is refused before anything runs. */
const keyOf = (ctx: Context): string | null => {
  const key = ctx.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()]
  if (key === undefined) return null
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_CHARS) {
    throw new InvalidInput({
      field: IDEMPOTENCY_KEY_HEADER,
      message: `${IDEMPOTENCY_KEY_HEADER} must be 1 to ${MAX_IDEMPOTENCY_KEY_CHARS} characters`,
    })
  }
  return key
}

/** The value with every object's keys in order, so two spellings of one JSON body are one request. */
const sortedKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortedKeys)
  if (typeof value !== "object" || value === null) return value
  const object = value as Record<string, unknown>
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((key) => [key, sortedKeys(object[key])]),
  )
}

/** JSON with sorted keys; undefined (no body) is null. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(sortedKeys(JSON.parse(JSON.stringify(value ?? null))))

/** sha-256 of what the request asks for: its path (ids live there) and its canonical body. */
export const fingerprintOf = (path: string, body: unknown): string =>
  createHash("sha256").update(canonicalJson({ path, body })).digest("hex")

/** A JSON body as the client received it; undefined for a stream, bytes or anything JSON cannot carry. */
const jsonOf = (body: unknown): unknown => {
  if (Buffer.isBuffer(body) || body instanceof Readable) return undefined
  try {
    return JSON.parse(JSON.stringify(body ?? null))
  } catch {
    return undefined
  }
}

/** What the handler answered, kept for replay; null for a 5xx or a failure without an answer (released). */
const answerOf = (ctx: Context, exit: Exit.Exit<void, unknown>): StoredAnswer | null => {
  if (Exit.isSuccess(exit)) {
    const body = jsonOf(ctx.body)
    if (ctx.status >= 500 || body === undefined) return null
    const headers: Record<string, string> = {}
    for (const name of REPLAYED_HEADERS) {
      // Koa 3 answers a header it does not have with undefined.
      const value: unknown = ctx.response.get(name)
      if (typeof value === "string" || typeof value === "number") headers[name] = String(value)
    }
    return { status: ctx.status, body, headers }
  }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return null
  // The answer the error middleware will give it, from the same table: kept unless a retry may cure it.
  const problem = problemFor(failure.value)
  if (problem.status >= 500) return null
  const { Connection: _, ...headers } = problem.headers
  return { status: problem.status, body: errorBody(capped(problem)), headers }
}

const replay = (ctx: Context, answer: StoredAnswer): void => {
  // Body before status: Koa sets 200 (or 204 for null) when a body is assigned.
  if (answer.body !== null) ctx.body = answer.body
  ctx.status = answer.status
  for (const [name, value] of Object.entries(answer.headers)) ctx.set(name, value)
  ctx.set(IDEMPOTENT_REPLAYED_HEADER, "true")
}

/**
 * Runs `handle` at most once per `Idempotency-Key`, Stripe's way (docs: the report's API paragraph,
 * docs/embedding.md): a retry with the same key and request within 24 h gets the first answer again,
 * marked `Idempotent-Replayed: true`; another request under the key is refused 422
 * `IDEMPOTENCY_KEY_REUSED`; a retry while the first still runs 409 `IDEMPOTENCY_KEY_IN_USE` with
 * Retry-After. A 5xx is not kept, so a retry runs again; a 4xx is kept and replayed. Admin keys are
 * scoped to the admin, shop keys to the operation. Errors `handle` throws are rethrown unchanged for the
 * error middleware, which answers them as the stored copy says.
 */
export const withIdempotency = async (
  ctx: Context,
  deps: RouteDeps,
  request: { readonly operation: string; readonly body: unknown },
  handle: () => Promise<void>,
): Promise<void> => {
  const key = keyOf(ctx)
  if (key === null) return handle()
  const actor = ctx.state.actor
  const scope = `${request.operation} ${typeof actor === "string" ? `admin:${actor}` : "shop"}`
  const outcome = await run(
    ctx,
    deps.runtime,
    idempotentRequest(
      { scope, key, fingerprint: fingerprintOf(ctx.path, request.body) },
      Effect.tryPromise({ try: handle, catch: (error) => error }),
      (exit) => answerOf(ctx, exit),
    ),
  )
  if (outcome._tag === "Replayed") replay(ctx, outcome.answer)
}
