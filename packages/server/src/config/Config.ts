import type { InvoiceMode } from "@settle/domain"
import { Array as Arr, Either, ParseResult, type Redacted, Schema } from "effect"
import * as checks from "./checks.js"

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent"

export interface ServerConfig {
  readonly host: string
  /** 0 picks any free port (tests, benchmarks). */
  readonly port: number
  /**
   * Where browsers and Stripe reach this server: checkout success/cancel URLs, the webhook endpoint.
   * Null when PUBLIC_URL is unset: then it is where the server listens, known once it is bound.
   */
  readonly publicUrl: string | null
  /** JSON and webhook bodies above this are refused with 413 before they are parsed. */
  readonly bodyLimitBytes: number
  /**
   * DRAIN_DELAY_SECONDS: after SIGTERM, how long /readyz answers 503 while the port still serves, so
   * the load balancer stops routing here before the port closes.
   */
  readonly drainDelayMs: number
  /** HTTP_*_TIMEOUT_SECONDS: how long a client may take to send its headers, its whole request, and idle between requests. */
  readonly timeouts: HttpTimeouts
  /** CORS_ORIGINS / CORS_ADMIN_ORIGINS: browser origins allowed on the shop routes and on the admin API. */
  readonly cors: CorsConfig
  /** METRICS_GAUGE_EVERY_SECONDS: the store counts behind /metrics are reused for this long. */
  readonly gaugeEveryMs: number
  /** METRICS_TOKEN: the bearer token /metrics asks for; null: /metrics is open. */
  readonly metricsToken: Redacted.Redacted<string> | null
}

export interface HttpTimeouts {
  readonly headersMs: number
  readonly requestMs: number
  readonly keepAliveMs: number
}

export interface CorsConfig {
  /** Origins that may call /api/v1/checkout and /api/v1/orders/*; empty: no cross-origin access. */
  readonly shopOrigins: ReadonlyArray<string>
  /** Origins that may call /api/v1/admin/*; empty (the default): none. */
  readonly adminOrigins: ReadonlyArray<string>
}

export type StorageConfig =
  | { readonly _tag: "Memory" }
  | {
      readonly _tag: "Mongo"
      readonly uri: Redacted.Redacted<string>
      readonly dbName: string
      /**
       * ALLOW_NON_ATOMIC_STORE=true: start on a server whose conditional writes race (FerretDB), which
       * is otherwise refused once connected; for tests and demos, never for real orders.
       */
      readonly allowNonAtomicStore: boolean
    }

/** PAYMENTS: the gateway asked for; unset, Stripe when STRIPE_SECRET_KEY is set, else the embedded default's sandbox. */
export type PaymentsChoice = "stripe" | "sandbox"

export type PaymentsConfig =
  /** The built-in gateway that signs and delivers webhooks itself; the secret is generated unless set. */
  | { readonly _tag: "Sandbox"; readonly webhookSecret: Redacted.Redacted<string> }
  | {
      readonly _tag: "Stripe"
      readonly secretKey: Redacted.Redacted<string>
      readonly webhookSecret: Redacted.Redacted<string>
      /** sk_live_/rk_live_: real money moves. */
      readonly livemode: boolean
      /** stripe-mock or a proxy; Stripe's own API when absent. */
      readonly apiBaseUrl?: string
    }

export interface TokenClaims {
  readonly issuer?: string
  readonly audience?: string
  /** ADMIN_TOKEN_MAX_LIFETIME_MINUTES in seconds: a token whose exp − iat is longer is refused. */
  readonly maxLifetimeSeconds?: number
}

export type AdminAuthConfig =
  /** HS256; `generated` when the embedded default made one up for this run (the server prints a demo token). */
  | ({
      readonly _tag: "SharedSecret"
      readonly secret: Redacted.Redacted<string>
      readonly generated: boolean
    } & TokenClaims)
  | ({ readonly _tag: "Jwks"; readonly url: string } & TokenClaims)

export type MediaStoreConfig =
  /** Files on this machine, served at `/media/<name>`: the embedded default, and single-instance hosting. */
  | { readonly _tag: "LocalDisk"; readonly directory: string }
  | {
      readonly _tag: "Cloudinary"
      readonly cloudName: string
      readonly apiKey: Redacted.Redacted<string>
      readonly apiSecret: Redacted.Redacted<string>
      /** Signed with every upload: it shows in an "Invalid Signature" string to sign (runbook scenario 7). */
      readonly folder: string
      /** A loopback fake or a proxy; Cloudinary's own API when absent. */
      readonly apiBaseUrl?: string
    }

export interface MediaConfig {
  /** Admin uploads above this are refused with 413 as soon as the stream passes it. */
  readonly maxBytes: number
  readonly store: MediaStoreConfig
}

export interface JobsConfig {
  /** JOBS_ENABLED=false: this replica schedules no job (the others do; an admin can still run one here). */
  readonly enabled: boolean
  /** JOB_LEASE_SECONDS: how long a run holds its job without renewing, so how long a dead replica blocks it. */
  readonly leaseMs: number
  /** JOB_<NAME>_EVERY_SECONDS: how often this replica runs each job. */
  readonly everyMs: {
    readonly expiry: number
    readonly repair: number
    readonly invoiceRetry: number
    readonly reconcile: number
  }
}

export interface Config {
  readonly server: ServerConfig
  readonly logLevel: LogLevel
  readonly storage: StorageConfig
  readonly payments: PaymentsConfig
  readonly admin: AdminAuthConfig
  readonly media: MediaConfig
  /** How long stock and coupon holds live; the Stripe session expires with them. */
  readonly reservationTtlMs: number
  /** WEBHOOK_ORPHAN_WINDOW_SECONDS: how long after its `created` an event naming a missing order is retried. */
  readonly webhookOrphanWindowMs: number
  readonly invoiceMode: InvoiceMode
  readonly jobs: JobsConfig
  /** What was defaulted or generated that an operator must hear about at start. */
  readonly notices: ReadonlyArray<string>
}

/** One variable: the raw string decoded by `check`, its problems reported under its name. */
const variable = <A>(check: checks.Check<A>) =>
  Schema.optionalWith(
    Schema.transformOrFail(Schema.String, Schema.Any as Schema.Schema<A>, {
      strict: true,
      decode: (raw, _, ast) =>
        Either.match(check(raw), {
          onRight: ParseResult.succeed,
          // The raw value rides along in the issue's `actual` but never in a message.
          onLeft: (messages) => {
            const issues = messages.map((message) => new ParseResult.Type(ast, raw, message))
            return ParseResult.fail(
              Arr.isNonEmptyArray(issues)
                ? new ParseResult.Composite(ast, raw, issues)
                : new ParseResult.Type(ast, raw),
            )
          },
        }),
      encode: (value, _, ast) =>
        ParseResult.fail(new ParseResult.Forbidden(ast, value, "configuration is decode-only")),
    }),
    { exact: true },
  )

const DAY_MINUTES = 24 * 60
const DAY_SECONDS = 24 * 60 * 60

/** The environment, each variable decoded on its own so that every problem is reported at once. */
export const Env = Schema.Struct({
  PORT: variable(checks.integer("PORT", 0, 65535)),
  HOST: variable(checks.text("HOST")),
  PUBLIC_URL: variable(checks.httpUrl("PUBLIC_URL")),
  LOG_LEVEL: variable(
    checks.oneOf<LogLevel>("LOG_LEVEL", ["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
  ),
  BODY_LIMIT_BYTES: variable(checks.integer("BODY_LIMIT_BYTES", 1024, 10 * 1024 * 1024)),
  // The delay, then up to 10 s of in-flight drain, must fit in the platform's grace period before SIGKILL.
  DRAIN_DELAY_SECONDS: variable(checks.integer("DRAIN_DELAY_SECONDS", 0, 60)),
  MONGO_URI: variable(checks.mongoUri),
  MONGO_DB_NAME: variable(checks.databaseName),
  ALLOW_NON_ATOMIC_STORE: variable(
    checks.oneOf<"true" | "false">("ALLOW_NON_ATOMIC_STORE", ["true", "false"]),
  ),
  PAYMENTS: variable(checks.oneOf<PaymentsChoice>("PAYMENTS", ["stripe", "sandbox"])),
  STRIPE_SECRET_KEY: variable(checks.stripeSecretKey),
  STRIPE_WEBHOOK_SECRET: variable(checks.stripeWebhookSecret),
  STRIPE_API_BASE_URL: variable(checks.httpUrl("STRIPE_API_BASE_URL")),
  ADMIN_JWT_SECRET: variable(checks.adminJwtSecret),
  // Keys fetched over plain http could be swapped by anyone on the path.
  ADMIN_JWKS_URL: variable(checks.httpUrl("ADMIN_JWKS_URL", { secure: true })),
  ADMIN_JWT_ISSUER: variable(checks.text("ADMIN_JWT_ISSUER")),
  ADMIN_JWT_AUDIENCE: variable(checks.text("ADMIN_JWT_AUDIENCE")),
  RESERVATION_TTL_MINUTES: variable(
    checks.integer(
      "RESERVATION_TTL_MINUTES",
      31,
      DAY_MINUTES,
      " (Stripe refuses Checkout Sessions that expire sooner than 30 minutes after it receives them, or later than 24 hours)",
    ),
  ),
  // Stripe stops retrying an event three days after it was created: a longer window changes nothing.
  WEBHOOK_ORPHAN_WINDOW_SECONDS: variable(
    checks.integer("WEBHOOK_ORPHAN_WINDOW_SECONDS", 0, 3 * DAY_SECONDS),
  ),
  INVOICE_MODE: variable(checks.oneOf<InvoiceMode>("INVOICE_MODE", ["none", "manual", "stripe"])),
  JOBS_ENABLED: variable(checks.oneOf<"true" | "false">("JOBS_ENABLED", ["true", "false"])),
  JOB_EXPIRY_EVERY_SECONDS: variable(checks.integer("JOB_EXPIRY_EVERY_SECONDS", 1, DAY_SECONDS)),
  JOB_REPAIR_EVERY_SECONDS: variable(checks.integer("JOB_REPAIR_EVERY_SECONDS", 1, DAY_SECONDS)),
  JOB_INVOICE_RETRY_EVERY_SECONDS: variable(
    checks.integer("JOB_INVOICE_RETRY_EVERY_SECONDS", 1, DAY_SECONDS),
  ),
  JOB_RECONCILE_EVERY_SECONDS: variable(checks.integer("JOB_RECONCILE_EVERY_SECONDS", 1, DAY_SECONDS)),
  // Below 3 s a renewal (every third of it) is one slow store round trip from losing the lease.
  JOB_LEASE_SECONDS: variable(checks.integer("JOB_LEASE_SECONDS", 3, 3600)),
  CLOUDINARY_CLOUD_NAME: variable(checks.text("CLOUDINARY_CLOUD_NAME", checks.SOURCES.CLOUDINARY)),
  CLOUDINARY_API_KEY: variable(checks.cloudinaryApiKey),
  CLOUDINARY_API_SECRET: variable(checks.text("CLOUDINARY_API_SECRET", checks.SOURCES.CLOUDINARY)),
  CLOUDINARY_FOLDER: variable(checks.cloudinaryFolder),
  CLOUDINARY_API_BASE_URL: variable(checks.httpUrl("CLOUDINARY_API_BASE_URL")),
  MEDIA_DIR: variable(checks.text("MEDIA_DIR")),
  // Cloudinary's own per-image limit is 10 MB on the free plan and 40 MB on the largest.
  MEDIA_MAX_BYTES: variable(checks.integer("MEDIA_MAX_BYTES", 1024, 100 * 1024 * 1024)),
  HTTP_HEADERS_TIMEOUT_SECONDS: variable(checks.integer("HTTP_HEADERS_TIMEOUT_SECONDS", 1, 300)),
  HTTP_REQUEST_TIMEOUT_SECONDS: variable(checks.integer("HTTP_REQUEST_TIMEOUT_SECONDS", 1, 3600)),
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: variable(checks.integer("HTTP_KEEP_ALIVE_TIMEOUT_SECONDS", 1, 600)),
  CORS_ORIGINS: variable(checks.origins("CORS_ORIGINS")),
  CORS_ADMIN_ORIGINS: variable(checks.origins("CORS_ADMIN_ORIGINS")),
  // Below 5 minutes an identity provider's own clock skew eats most of the token's life.
  ADMIN_TOKEN_MAX_LIFETIME_MINUTES: variable(
    checks.integer("ADMIN_TOKEN_MAX_LIFETIME_MINUTES", 5, 7 * DAY_MINUTES),
  ),
  METRICS_GAUGE_EVERY_SECONDS: variable(checks.integer("METRICS_GAUGE_EVERY_SECONDS", 1, 3600)),
  METRICS_TOKEN: variable(checks.bearerSecret("METRICS_TOKEN")),
})
export type Env = typeof Env.Type

/** The variables this server reads; anything else in the environment is ignored. */
export const VARIABLES = Object.keys(Env.fields) as ReadonlyArray<keyof Env>
