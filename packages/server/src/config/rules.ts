import type { Env } from "./Config.js"
import type { ConfigProblem } from "./ConfigError.js"
import { SOURCES } from "./checks.js"

/** The environment as given: only set, non-empty variables. */
export type RawEnv = Partial<Record<keyof Env, string>>

const CLOUDINARY = ["CLOUDINARY_CLOUD_NAME", "CLOUDINARY_API_KEY", "CLOUDINARY_API_SECRET"] as const

/**
 * Rules between variables. They look only at which variables are set, so they are reported alongside
 * the problems of the values themselves instead of after those are fixed.
 */
export const crossProblems = (env: RawEnv): ReadonlyArray<ConfigProblem> => {
  const has = (name: keyof Env) => env[name] !== undefined
  const problems: Array<ConfigProblem> = []
  const add = (variable: keyof Env, message: string) => problems.push({ variable, message })

  if (has("STRIPE_SECRET_KEY") && !has("STRIPE_WEBHOOK_SECRET")) {
    add(
      "STRIPE_WEBHOOK_SECRET",
      "STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set; copy the endpoint's signing secret (whsec_…) from Stripe Dashboard → Developers → Webhooks",
    )
  }
  // The sandbox takes no money: outside the embedded default it runs only when asked for by name, so
  // a deployment that lost its Stripe key fails here instead of "selling" through the sandbox.
  const payments = env.PAYMENTS?.toLowerCase()
  if (!has("STRIPE_SECRET_KEY") && payments !== "sandbox" && (has("MONGO_URI") || payments === "stripe")) {
    add(
      "STRIPE_SECRET_KEY",
      payments === "stripe"
        ? `STRIPE_SECRET_KEY is required with PAYMENTS=stripe; copy it from ${SOURCES.STRIPE_SECRET_KEY}`
        : `STRIPE_SECRET_KEY is required once MONGO_URI is set; copy it from ${SOURCES.STRIPE_SECRET_KEY} (or PAYMENTS=sandbox for an offline test deployment)`,
    )
  }
  if (payments === "sandbox" && has("STRIPE_SECRET_KEY")) {
    add(
      "PAYMENTS",
      "PAYMENTS=sandbox and STRIPE_SECRET_KEY are both set; unset PAYMENTS to take payments through Stripe, or unset the key for the sandbox",
    )
  }
  if (has("ALLOW_NON_ATOMIC_STORE") && !has("MONGO_URI")) {
    add(
      "ALLOW_NON_ATOMIC_STORE",
      "ALLOW_NON_ATOMIC_STORE is set without MONGO_URI; it only lets the server start on a MongoDB-compatible store whose writes are not atomic (FerretDB): unset it",
    )
  }
  if (has("STRIPE_API_BASE_URL") && !has("STRIPE_SECRET_KEY")) {
    add(
      "STRIPE_API_BASE_URL",
      "STRIPE_API_BASE_URL is set without STRIPE_SECRET_KEY; set a key too (stripe-mock accepts any sk_test_ key) or unset it",
    )
  }
  // Real money with orders that vanish on restart: Stripe would keep payments nobody can reconcile.
  if (/^(sk|rk)_live_/.test(env.STRIPE_SECRET_KEY ?? "") && !has("MONGO_URI")) {
    add("MONGO_URI", "MONGO_URI is required with a live Stripe key; in-memory orders are lost on restart")
  }
  if (has("ADMIN_JWT_SECRET") && has("ADMIN_JWKS_URL")) {
    add(
      "ADMIN_JWKS_URL",
      "ADMIN_JWT_SECRET and ADMIN_JWKS_URL are both set; keep only the one your identity provider uses",
    )
  }
  // A generated secret differs per replica and per restart, and the demo token printed at start
  // would be an admin credential in the deploy logs: only the embedded default may generate one.
  if (!has("ADMIN_JWT_SECRET") && !has("ADMIN_JWKS_URL") && (has("MONGO_URI") || has("STRIPE_SECRET_KEY"))) {
    add(
      "ADMIN_JWT_SECRET",
      "ADMIN_JWT_SECRET or ADMIN_JWKS_URL is required once MONGO_URI or STRIPE_SECRET_KEY is set; generate a secret with `openssl rand -base64 48`",
    )
  }
  const setCloudinary = CLOUDINARY.filter(has)
  if (setCloudinary.length > 0) {
    for (const missing of CLOUDINARY.filter((name) => !has(name))) {
      add(
        missing,
        `${missing} is required when ${setCloudinary.join(" and ")} is set; set all three CLOUDINARY_ variables or none`,
      )
    }
  }
  // Each of these would be silently ignored: say so rather than upload somewhere unexpected.
  for (const extra of ["CLOUDINARY_FOLDER", "CLOUDINARY_API_BASE_URL"] as const) {
    if (has(extra) && setCloudinary.length === 0) {
      add(extra, `${extra} is set without ${CLOUDINARY.join(", ")}; set those too or unset it`)
    }
  }
  if (has("MEDIA_DIR") && setCloudinary.length === CLOUDINARY.length) {
    add(
      "MEDIA_DIR",
      "MEDIA_DIR is set but uploads go to Cloudinary; unset MEDIA_DIR or the CLOUDINARY_ variables",
    )
  }
  // Node cuts a request at requestTimeout whatever headersTimeout says, so a longer one would be a lie.
  const seconds = (name: keyof Env, fallback: number) => {
    const value = Number(env[name] ?? fallback)
    return Number.isFinite(value) ? value : fallback
  }
  if (
    (has("HTTP_HEADERS_TIMEOUT_SECONDS") || has("HTTP_REQUEST_TIMEOUT_SECONDS")) &&
    seconds("HTTP_HEADERS_TIMEOUT_SECONDS", 10) > seconds("HTTP_REQUEST_TIMEOUT_SECONDS", 30)
  ) {
    add(
      "HTTP_HEADERS_TIMEOUT_SECONDS",
      "HTTP_HEADERS_TIMEOUT_SECONDS must not exceed HTTP_REQUEST_TIMEOUT_SECONDS (default 30); the request timeout covers the headers too",
    )
  }
  return problems
}
