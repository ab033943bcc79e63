import { randomUUID } from "node:crypto"
import type { Context } from "koa"

export const REQUEST_ID_HEADER = "X-Request-Id"

/**
 * What a proxy or client may hand us to correlate its logs with ours (UUIDs, ULIDs, trace ids): short,
 * and nothing that could break a log line or a response header. Anything else gets an id of our own.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

const GIVEN_NAME = REQUEST_ID_HEADER.toLowerCase()

/**
 * The `X-Request-Id` the client sent, "" when none, read from the raw header lines: `req.headers` builds
 * the whole header object on first read, which nothing else on a probe's path needs. A repeated one is
 * "" too, as Node's joined "a, b" would be refused.
 */
export const givenRequestId = (rawHeaders: ReadonlyArray<string>): string => {
  let given: string | null = null
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    if (name.length !== GIVEN_NAME.length || name.toLowerCase() !== GIVEN_NAME) continue
    if (given !== null) return ""
    given = rawHeaders[i + 1] ?? ""
  }
  return given ?? ""
}

/** The client's `X-Request-Id` when it is sane, a fresh UUID otherwise. */
export const requestIdFor = (given: string): string => (SANE_REQUEST_ID.test(given) ? given : randomUUID())

/** The id the access-log middleware gave this request; "" outside it (a route mounted on its own in a test). */
export const requestIdOf = (ctx: Pick<Context, "state">): string => {
  const id: unknown = (ctx.state as { requestId?: unknown }).requestId
  return typeof id === "string" ? id : ""
}
