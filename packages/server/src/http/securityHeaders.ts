import type { Middleware } from "koa"
import helmet from "koa-helmet"

/**
 * The policy every answer carries. JSON needs none of it, but a browser that is tricked into rendering
 * an answer (an error quoting input, a 404 page) then loads nothing and runs nothing. The HTML pages
 * (checkout return, the sandbox pay page) style themselves inline and post only to this origin.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

/**
 * Helmet's headers on every response, errors and 404/405 included (set before the routes run; a
 * route may tighten its own, as the sandbox pay page does):
 * - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` and `frame-ancestors 'none'`;
 * - `Referrer-Policy: no-referrer`: a checkout return URL never leaks to another site;
 * - `Cross-Origin-Resource-Policy: cross-origin`: product images under /media are embedded by
 *   storefronts on other origins (CORS, not CORP, decides who may read the API);
 * - HSTS without `includeSubDomains`, which would bind every other host of the shop's domain.
 */
export const securityHeaders = (): Middleware =>
  helmet({
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
  })
