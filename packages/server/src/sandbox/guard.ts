import type { Context } from "koa"
import { errorBody } from "../http/errors.js"

/**
 * The pay page is HTML served with the shop's origin: another site must neither frame it (and trick
 * a click onto Pay) nor have it render a page of theirs. Its one inline stylesheet is all it loads.
 */
export const PAGE_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

export const forbidFraming = (ctx: Context): void => {
  ctx.set("X-Frame-Options", "DENY")
  ctx.set("Content-Security-Policy", PAGE_POLICY)
}

interface CrossSite {
  readonly header: "Sec-Fetch-Site" | "Origin"
  readonly value: string
}

/**
 * Why a POST is not the page's own button, or null. Current browsers mark every request with Fetch
 * Metadata (`Sec-Fetch-Site`: Chrome 76, Firefox 90, Safari 16.4) and every POST with `Origin`
 * (Firefox since 70), so a page on another site cannot post here without one of them saying so. A
 * request with neither comes from curl, an API client or the banner's walk-through, none of which
 * another site can make a visitor's browser send; a browser older than those is not protected, which
 * a gateway that moves no money can afford.
 */
const crossSite = (ctx: Context, publicUrl: string): CrossSite | null => {
  const site = ctx.get("Sec-Fetch-Site")
  // "none": the user's own navigation (address bar, bookmark), which no other page can start.
  if (site !== "")
    return site === "same-origin" || site === "none" ? null : { header: "Sec-Fetch-Site", value: site }
  const origin = ctx.get("Origin")
  if (origin === "") return null
  // Behind a proxy the browser's origin is PUBLIC_URL's; on a laptop it is the address served. (Koa 3's
  // `ctx.origin` is the request's Origin header itself, not the server's.)
  const served = `${ctx.protocol}://${ctx.host}`
  const own = [served, URL.canParse(publicUrl) ? new URL(publicUrl).origin : served]
  return own.includes(origin) ? null : { header: "Origin", value: origin }
}

/** Answers 403 `SANDBOX_CROSS_SITE_POST` and returns false for a POST another site made; true otherwise. */
export const fromOwnPage = (ctx: Context, publicUrl: string): boolean => {
  const refused = crossSite(ctx, publicUrl)
  if (refused === null) return true
  ctx.status = 403
  ctx.body = errorBody({
    status: 403,
    code: "SANDBOX_CROSS_SITE_POST",
    message: `the sandbox pay page accepts posts from its own page only; this one came from elsewhere (${refused.header}: ${refused.value})`,
    details: { header: refused.header, value: refused.value },
    headers: {},
  })
  return false
}
