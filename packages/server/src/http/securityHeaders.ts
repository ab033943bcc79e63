import type { IncomingMessage, ServerResponse } from "node:http"
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

/**
 * Helmet's headers on every response, errors and 404/405 included (set before the routes run; a
 * route may tighten its own, as the sandbox pay page does):
 * - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` and `frame-ancestors 'none'`;
 * - `Referrer-Policy: no-referrer`: a checkout return URL never leaks to another site;
 * - `Cross-Origin-Resource-Policy: cross-origin`: product images under /media are embedded by
 *   storefronts on other origins (CORS, not CORP, decides who may read the API);
 * - HSTS without `includeSubDomains`, which would bind every other host of the shop's domain.
 */
export const securityHeaders = (): Middleware => {
  const headers = helmetHeaders(POLICY)
  return (ctx, next) => {
    for (const [name, value] of headers) ctx.res.setHeader(name, value)
    return next()
  }
}
