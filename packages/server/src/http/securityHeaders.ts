import { IncomingMessage, ServerResponse, validateHeaderName, validateHeaderValue } from "node:http"
import { Socket } from "node:net"
import helmet, { type HelmetOptions } from "helmet"
import type { Middleware } from "koa"

/**
 * The policy every answer carries. JSON needs none of it, but a browser that is tricked into rendering
 * an answer (an error quoting input, a 404 page) then loads nothing and runs nothing. The HTML pages
 * (checkout return, the sandbox pay page) style themselves inline and post only to this origin.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

/** The helmet options behind the policy below; every answer gets the same headers, so they are computed once. */
const POLICY: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      styleSrc: ["'unsafe-inline'"],
      imgSrc: ["'self'"],
      formAction: ["'self'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
    },
  },
  crossOriginResourcePolicy: { policy: "cross-origin" },
  frameguard: { action: "deny" },
  referrerPolicy: { policy: "no-referrer" },
  strictTransportSecurity: { maxAge: 365 * 24 * 60 * 60, includeSubDomains: false },
}

/**
 * The headers helmet sets for `options`, read once by running it on a recording response. Right only
 * for a static policy (no nonce, no directive computed per request), as POLICY is; running helmet's
 * dozen middlewares per request cost more than the rest of Settle's own middleware together
 * (docs/performance.md). Helmet also removes X-Powered-By, which Koa never sets.
 */
const helmetHeaders = (options: HelmetOptions): ReadonlyArray<readonly [string, string]> => {
  const headers: Array<readonly [string, string]> = []
  const recorder = {
    setHeader: (name: string, value: string) => {
      headers.push([name, value])
    },
    removeHeader: () => undefined,
  }
  let done = false
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error !== undefined) throw error
    done = true
  })
  // Helmet calls next synchronously; if a later version stopped doing so, the recording would be partial.
  if (!done) throw new Error("helmet did not finish synchronously")
  return headers
}

type StoreHeader = (this: ServerResponse, firstLine: string, headers: unknown) => void
type WithStoreHeader = ServerResponse & { _storeHeader: StoreHeader }

/**
 * Node writes an answer's head in `_storeHeader(statusLine, headers)`, called by `writeHead` for every
 * answer (implicit or not). Setting the policy's dozen constant headers through `setHeader` cost about
 * 3.5 µs of CPU a request, a sixth of a whole Koa hello (each name and value checked and lower-cased on
 * the way in, the dictionary walked and each line concatenated on the way out); they are written instead
 * as one block of lines checked once, right after the status line (`writesPolicy` checks at start that
 * this Node still writes heads that way, else every answer gets them through `setHeader` as before). A
 * header of the policy that the route set itself (a stricter Content-Security-Policy) is the route's:
 * its line is left out of the block.
 */
// Looked up per answer, so whatever wraps Node's later (an APM agent) still runs.
const nodeStoreHeader = (): StoreHeader | undefined =>
  (ServerResponse.prototype as unknown as { _storeHeader?: StoreHeader })._storeHeader

const lineOf = ([name, value]: readonly [string, string]) => `${name}: ${value}\r\n`

/** The lower-case names the answer's own headers carry, from whatever `writeHead` handed on. */
const namesIn = (headers: unknown): ReadonlySet<string> => {
  if (Array.isArray(headers)) {
    const pairs = headers.length > 0 && Array.isArray(headers[0])
    return new Set(
      headers
        .filter((_, i) => pairs || i % 2 === 0)
        .map((entry) => String(pairs ? (entry as Array<unknown>)[0] : entry).toLowerCase()),
    )
  }
  return new Set(Object.keys(headers ?? {}).map((name) => name.toLowerCase()))
}

const storeWith = (policy: ReadonlyArray<readonly [string, string]>): StoreHeader | null => {
  if (typeof nodeStoreHeader() !== "function") return null
  for (const [name, value] of policy) {
    validateHeaderName(name)
    validateHeaderValue(name, value)
  }
  const block = policy.map(lineOf).join("")
  const names = policy.map(([name]) => name.toLowerCase())
  const blockWithout = (taken: (name: string) => boolean) =>
    policy
      .filter((_, i) => !taken(names[i] as string))
      .map(lineOf)
      .join("")
  return function storeHeader(firstLine, headers) {
    // The usual case: the dictionary setHeader fills (no prototype, lower-case names), none of the policy's.
    const own =
      headers !== null && typeof headers === "object" && Object.getPrototypeOf(headers) === null
        ? (headers as Record<string, unknown>)
        : null
    let lines = block
    if (own === null) {
      const taken = namesIn(headers)
      lines = blockWithout((name) => taken.has(name))
    } else if (names.some((name) => own[name] !== undefined)) {
      lines = blockWithout((name) => own[name] !== undefined)
    }
    return (nodeStoreHeader() as StoreHeader).call(this, firstLine + lines, headers)
  }
}

/** Whether `store` puts `policy`'s lines in the head Node writes, on a response no socket ever sees. */
const writesPolicy = (store: StoreHeader, policy: ReadonlyArray<readonly [string, string]>): boolean => {
  const request = new IncomingMessage(new Socket())
  request.httpVersionMajor = 1
  request.httpVersionMinor = 1
  request.method = "GET"
  const response = new ServerResponse(request) as WithStoreHeader
  response._storeHeader = store
  response.setHeader("Content-Type", "text/plain")
  response.writeHead(200)
  const head: unknown = (response as unknown as { _header?: unknown })._header
  return (
    typeof head === "string" &&
    head.startsWith(`HTTP/1.1 200 OK\r\n${policy.map(lineOf).join("")}Content-Type: text/plain\r\n`)
  )
}

/** How each answer gets the policy: the block (when this Node writes heads as checked), or setHeader. */
export const policyWriter = (
  policy: ReadonlyArray<readonly [string, string]>,
): { readonly kind: "block" | "setHeader"; readonly apply: (response: ServerResponse) => void } => {
  const store = storeWith(policy)
  if (store !== null && writesPolicy(store, policy))
    return {
      kind: "block",
      apply: (response) => {
        ;(response as WithStoreHeader)._storeHeader = store
      },
    }
  return {
    kind: "setHeader",
    apply: (response) => {
      for (const [name, value] of policy) response.setHeader(name, value)
    },
  }
}

/** The recorded policy and how this process writes it (securityHeaders.test.ts). */
export const securityPolicy = () => policyWriter(helmetHeaders(POLICY))

/**
 * Helmet's headers on every response, errors and 404/405 included (in place before the routes run; a
 * route may tighten its own, as the sandbox pay page does):
 * - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` and `frame-ancestors 'none'`;
 * - `Referrer-Policy: no-referrer`: a checkout return URL never leaks to another site;
 * - `Cross-Origin-Resource-Policy: cross-origin`: product images under /media are embedded by
 *   storefronts on other origins (CORS, not CORP, decides who may read the API);
 * - HSTS without `includeSubDomains`, which would bind every other host of the shop's domain.
 * They are not among the headers `ctx.response` lists (nothing in the app reads them back).
 */
export const securityHeaders = (): Middleware => {
  const { apply } = securityPolicy()
  return (ctx, next) => {
    apply(ctx.res)
    return next()
  }
}
