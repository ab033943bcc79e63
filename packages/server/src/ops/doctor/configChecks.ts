import { Either, Schema } from "effect"
import { Env } from "../../config/Config.js"
import type { ConfigProblem } from "../../config/ConfigError.js"
import { databaseOf, SOURCES } from "../../config/checks.js"
import { DEFAULTS, fieldProblems, presentOnly } from "../../config/loadConfig.js"
import { crossProblems, type RawEnv } from "../../config/rules.js"
import { hygieneProblems } from "../../config/secrets.js"
import { type CheckResult, fail, ok, warn } from "./Check.js"
import { cloudinaryShapes, SCENARIO_7_FIX } from "./cloudinary.js"

export const SCENARIO_8_FIX =
  'in the deployment\'s environment (Render → your service → Environment) set MONGO_URI to the full connection string starting with mongodb+srv:// (Atlas) or mongodb:// (self-hosted): no placeholder such as CHANGE_ME_MONGO_URI, no quotes, no leading or trailing spaces; Atlas → Cluster → Connect → "Connect your application" gives it (runbook scenario 8)'

const STRIPE_KEY_FIX = `copy the secret key (sk_…) or a restricted key (rk_…) from ${SOURCES.STRIPE_SECRET_KEY}, without quotes, spaces or line breaks`
const WEBHOOK_FIX = `copy the signing secret (whsec_…) from ${SOURCES.STRIPE_WEBHOOK_SECRET}, without quotes, spaces or line breaks (runbook scenario 4: "Confirm STRIPE_WEBHOOK_SECRET")`

/** Variables with a check of their own below; any other variable's problems are listed as they come. */
const OWN = new Set([
  "MONGO_URI",
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "CLOUDINARY_CLOUD_NAME",
  "CLOUDINARY_API_KEY",
  "CLOUDINARY_API_SECRET",
])

/** Every problem the server's config module would refuse to start with, kept apart by variable. */
const problemsOf = (raw: RawEnv) => {
  const decoded = Schema.decodeUnknownEither(Env, { errors: "all" })(raw)
  const field = Either.isLeft(decoded) ? fieldProblems(decoded.left) : []
  const cross = crossProblems(raw)
  const of = (variable: string, from: ReadonlyArray<ConfigProblem> = [...field, ...cross]) =>
    from.filter((problem) => problem.variable === variable)
  return { field, cross, of }
}

const failing = (problems: ReadonlyArray<ConfigProblem>, fix?: string): ReadonlyArray<CheckResult> =>
  problems.map((problem) => fail(problem.variable, problem.message, fix))

const mongo = (raw: RawEnv, problems: ReadonlyArray<ConfigProblem>): ReadonlyArray<CheckResult> => {
  if (problems.length > 0) return failing(problems, SCENARIO_8_FIX)
  const uri = raw.MONGO_URI
  if (uri === undefined) {
    return [
      warn(
        "MONGO_URI",
        "MONGO_URI is not set: the server keeps orders in memory (lost on restart) and ops commands cannot run",
        "set MONGO_URI for any deployment (runbook scenario 8)",
      ),
    ]
  }
  const scheme = uri.startsWith("mongodb+srv://") ? "mongodb+srv://" : "mongodb://"
  const database = raw.MONGO_DB_NAME ?? databaseOf(uri) ?? DEFAULTS.dbName
  return [ok("MONGO_URI", `${scheme} connection string, database "${database}"`)]
}

const stripeKey = (raw: RawEnv, problems: ReadonlyArray<ConfigProblem>): ReadonlyArray<CheckResult> => {
  if (problems.length > 0) return failing(problems, STRIPE_KEY_FIX)
  const key = raw.STRIPE_SECRET_KEY
  if (key === undefined) {
    // Without a key and without a refusal above, this is the embedded default or PAYMENTS=sandbox.
    const asked = raw.PAYMENTS?.toLowerCase() === "sandbox"
    return [
      warn(
        "STRIPE_SECRET_KEY",
        `STRIPE_SECRET_KEY is not set: payments go through the sandbox gateway (${asked ? "PAYMENTS=sandbox" : "the embedded default"}) and no real payment is taken`,
        `set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET${asked ? " and unset PAYMENTS" : ""} for real payments`,
      ),
    ]
  }
  const live = /^(sk|rk)_live_/.test(key)
  const kind = key.startsWith("rk_")
    ? "restricted key (rk_…): it needs write access to Checkout Sessions and Refunds"
    : "secret key (sk_…)"
  const mode = live ? "live mode: real money moves" : "test mode: no real money moves"
  if (live && raw.STRIPE_API_BASE_URL !== undefined) {
    return [
      warn(
        "STRIPE_SECRET_KEY",
        `${kind}, ${mode}, but STRIPE_API_BASE_URL sends it somewhere other than api.stripe.com`,
        "unset STRIPE_API_BASE_URL in production (it is for stripe-mock and proxies)",
      ),
    ]
  }
  return [ok("STRIPE_SECRET_KEY", `${kind}, ${mode}`)]
}

const webhookSecret = (raw: RawEnv, problems: ReadonlyArray<ConfigProblem>): ReadonlyArray<CheckResult> => {
  if (problems.length > 0) return failing(problems, WEBHOOK_FIX)
  if (raw.STRIPE_WEBHOOK_SECRET === undefined) return []
  return [ok("STRIPE_WEBHOOK_SECRET", "a whsec_ signing secret")]
}

/**
 * The configuration checks of `pnpm ops doctor`: the server's own decoding (so every message, including
 * runbook scenario 8's, reads as the server would print it), plus what only a shape shows (a Cloudinary
 * value in the wrong variable) and what is legal but worth a word (a test key, a live key sent to a mock).
 */
export const configChecks = (
  env: Readonly<Record<string, string | undefined>>,
): ReadonlyArray<CheckResult> => {
  const raw = presentOnly(env)
  const { field, cross, of } = problemsOf(raw)
  const cloudinary = ["CLOUDINARY_CLOUD_NAME", "CLOUDINARY_API_KEY", "CLOUDINARY_API_SECRET"] as const
  const others = [...field, ...cross].filter((problem) => !OWN.has(problem.variable))
  return [
    ...mongo(raw, of("MONGO_URI")),
    ...stripeKey(raw, of("STRIPE_SECRET_KEY")),
    ...webhookSecret(raw, of("STRIPE_WEBHOOK_SECRET")),
    // Missing partners and flawed values as the config module words them; a wrong shape is cloudinaryShapes' to say.
    ...cloudinary.flatMap((variable) => {
      const value = raw[variable]
      const flaws = value === undefined ? [] : hygieneProblems(variable, value, SOURCES.CLOUDINARY)
      return failing(
        [...of(variable, cross), ...flaws.map((message) => ({ variable, message }))],
        SCENARIO_7_FIX,
      )
    }),
    ...cloudinaryShapes(raw),
    ...(others.length === 0
      ? [ok("config", "every other variable the server reads is valid")]
      : failing(others)),
  ]
}
