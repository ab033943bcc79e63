import { Either } from "effect"
import { describeFlaw, flawsOf, hygieneProblems } from "./secrets.js"

/** A variable's raw value to its typed value, or every problem with it (each message names the variable). */
export type Check<A> = (raw: string) => Either.Either<A, ReadonlyArray<string>>

const fail = (message: string) => Either.left([message])

/** Where an operator finds the real value; quoted in placeholder messages. */
export const SOURCES = {
  MONGO_URI: 'MongoDB Atlas → Cluster → Connect → "Drivers"',
  STRIPE_SECRET_KEY: "Stripe Dashboard → Developers → API keys",
  STRIPE_WEBHOOK_SECRET: "Stripe Dashboard → Developers → Webhooks → your endpoint → Signing secret",
  ADMIN_JWT_SECRET: "the output of `openssl rand -base64 48`",
  CLOUDINARY: "Cloudinary Dashboard → Settings → API Keys",
} as const

/** Runs `check` only on a value without placeholders, quotes or stray whitespace; reports those otherwise. */
export const clean =
  <A>(variable: string, check: Check<A>, source?: string): Check<A> =>
  (raw) => {
    const problems = hygieneProblems(variable, raw, source)
    return problems.length > 0 ? Either.left(problems) : check(raw)
  }

export const text = (variable: string, source?: string): Check<string> =>
  clean(variable, Either.right, source)

export const integer = (variable: string, min: number, max: number, why = ""): Check<number> =>
  clean(variable, (raw) => {
    const value = Number(raw)
    return /^\d+$/.test(raw) && value >= min && value <= max
      ? Either.right(value)
      : fail(`${variable} must be a whole number from ${min} to ${max}${why}`)
  })

export const oneOf = <A extends string>(variable: string, values: ReadonlyArray<A>): Check<A> =>
  clean(variable, (raw) => {
    const value = values.find((candidate) => candidate === raw.toLowerCase())
    return value === undefined ? fail(`${variable} must be one of ${values.join(", ")}`) : Either.right(value)
  })

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"])

/** An http(s) URL without a trailing slash; `secure` refuses plain http beyond loopback. */
export const httpUrl = (variable: string, options: { readonly secure?: boolean } = {}): Check<string> =>
  clean(variable, (raw) => {
    const url = URL.canParse(raw) ? new URL(raw) : undefined
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
      return fail(`${variable} must be an http:// or https:// URL`)
    }
    if (options.secure === true && url.protocol === "http:" && !LOOPBACK.has(url.hostname)) {
      return fail(`${variable} must be an https:// URL (plain http:// only on localhost)`)
    }
    return Either.right(raw.replace(/\/+$/, ""))
  })

const MONGO_SCHEMES = /^mongodb(\+srv)?:\/\//

/**
 * The runbook's scenario 8 message, worded as the runbook says so an operator can search for it,
 * then why: the flaws that hide the scheme, or the scheme that was given (never the rest, which
 * carries the password).
 */
export const mongoUri: Check<string> = (raw) => {
  const flaws = flawsOf(raw)
  if (MONGO_SCHEMES.test(raw))
    return flaws.length === 0
      ? Either.right(raw)
      : Either.left(hygieneProblems("MONGO_URI", raw, SOURCES.MONGO_URI))
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw.trim())?.[1]
  const hints =
    flaws.length > 0
      ? flaws.map((flaw) => `the value ${describeFlaw(flaw, SOURCES.MONGO_URI)}`)
      : [scheme === undefined ? 'got a value without a "scheme://" prefix' : `got "${scheme}://"`]
  return fail(`MONGO_URI must start with "mongodb://" or "mongodb+srv://" (${hints.join("; ")})`)
}

/** The database in the URI's path (`…/shop?retryWrites=true` → `shop`), if any. */
export const databaseOf = (uri: string): string | undefined => {
  const path = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(uri)?.[1]
  return path === undefined || path === "" ? undefined : decodeURIComponent(path)
}

export const databaseName: Check<string> = clean("MONGO_DB_NAME", (raw) =>
  /^[^/\\. "$*<>:|?]{1,63}$/.test(raw)
    ? Either.right(raw)
    : fail('MONGO_DB_NAME must be 1 to 63 characters, none of / \\ . " $ * < > : | ? or space'),
)

export const stripeSecretKey: Check<string> = clean(
  "STRIPE_SECRET_KEY",
  (raw) => {
    if (/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/.test(raw)) return Either.right(raw)
    if (raw.startsWith("pk_")) {
      return fail(
        `STRIPE_SECRET_KEY holds a publishable key (pk_…); use the secret key (sk_…) or a restricted key (rk_…) from ${SOURCES.STRIPE_SECRET_KEY}`,
      )
    }
    if (raw.startsWith("whsec_")) {
      return fail(
        "STRIPE_SECRET_KEY holds a webhook signing secret (whsec_…); it belongs in STRIPE_WEBHOOK_SECRET",
      )
    }
    return fail(
      `STRIPE_SECRET_KEY must be an API key starting with sk_test_, sk_live_, rk_test_ or rk_live_; copy it from ${SOURCES.STRIPE_SECRET_KEY}`,
    )
  },
  SOURCES.STRIPE_SECRET_KEY,
)

export const stripeWebhookSecret: Check<string> = clean(
  "STRIPE_WEBHOOK_SECRET",
  (raw) => {
    if (/^whsec_[A-Za-z0-9+/=]+$/.test(raw)) return Either.right(raw)
    if (/^(sk|rk|pk)_/.test(raw)) {
      return fail(
        `STRIPE_WEBHOOK_SECRET holds an API key; the signing secret starts with whsec_: copy it from ${SOURCES.STRIPE_WEBHOOK_SECRET}`,
      )
    }
    return fail(
      `STRIPE_WEBHOOK_SECRET must start with whsec_; copy the signing secret from ${SOURCES.STRIPE_WEBHOOK_SECRET}`,
    )
  },
  SOURCES.STRIPE_WEBHOOK_SECRET,
)

/** HS256 is only as strong as its key: RFC 7518 asks for at least the hash size, 32 bytes. */
export const adminJwtSecret: Check<string> = clean(
  "ADMIN_JWT_SECRET",
  (raw) => {
    const bytes = Buffer.byteLength(raw, "utf8")
    return bytes >= 32
      ? Either.right(raw)
      : fail(
          `ADMIN_JWT_SECRET must be at least 32 bytes for HS256 (got ${bytes}); generate one with \`openssl rand -base64 48\``,
        )
  },
  SOURCES.ADMIN_JWT_SECRET,
)

/** Cloudinary API keys are numeric; a non-numeric one is usually the secret or the cloud name swapped in. */
export const cloudinaryApiKey: Check<string> = clean(
  "CLOUDINARY_API_KEY",
  (raw) =>
    /^\d+$/.test(raw)
      ? Either.right(raw)
      : fail(
          `CLOUDINARY_API_KEY must be digits only; copy "API Key" (not the secret or cloud name) from ${SOURCES.CLOUDINARY}`,
        ),
  SOURCES.CLOUDINARY,
)

/**
 * Folder names of letters, digits, `_` and `-` joined by `/`: the folder is signed as `folder=<value>`,
 * and characters Cloudinary escapes or rewrites would make the string to sign differ from what it checks.
 */
export const cloudinaryFolder: Check<string> = clean("CLOUDINARY_FOLDER", (raw) =>
  /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(raw) && raw.length <= 255
    ? Either.right(raw)
    : fail(
        "CLOUDINARY_FOLDER must be folder names of letters, digits, _ and - separated by / (e.g. shop/products), at most 255 characters",
      ),
)

/**
 * A comma-separated allow-list of browser origins (`https://shop.example`, no path). `*` is refused:
 * every origin that may call the API is named, so a forgotten test storefront cannot reach it.
 */
export const origins =
  (variable: string): Check<ReadonlyArray<string>> =>
  // Not `clean`: "a, b" is how people write lists; each entry must still be an exact origin.
  (raw) => {
    const entries = raw
      .split(",")
      .map((entry) => entry.trim())
      .filter((entry) => entry !== "")
    if (entries.includes("*"))
      return fail(`${variable} must name each origin; "*" is refused (list e.g. https://shop.example)`)
    const bad = entries.filter((entry) => !URL.canParse(entry) || new URL(entry).origin !== entry)
    if (bad.length > 0 || entries.length === 0)
      return fail(
        `${variable} must be comma-separated origins such as https://shop.example (scheme, host and port only, no path or trailing slash)`,
      )
    return Either.right(entries)
  }

/** A bearer token someone could guess is no gate: at least 16 characters, `openssl rand -hex 24` makes one. */
export const bearerSecret = (variable: string): Check<string> =>
  clean(variable, (raw) =>
    raw.length >= 16 && /^[\x21-\x7e]+$/.test(raw)
      ? Either.right(raw)
      : fail(
          `${variable} must be at least 16 printable characters without spaces; generate one with \`openssl rand -hex 24\``,
        ),
  )
