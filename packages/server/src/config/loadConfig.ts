import { randomBytes as nodeRandomBytes } from "node:crypto"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Either, ParseResult, Redacted, Schema } from "effect"
import type {
  AdminAuthConfig,
  Config,
  JobsConfig,
  MediaConfig,
  PaymentsConfig,
  StorageConfig,
} from "./Config.js"
import { Env, VARIABLES } from "./Config.js"
import { ConfigError, type ConfigProblem } from "./ConfigError.js"
import { databaseOf } from "./checks.js"
import { crossProblems, type RawEnv } from "./rules.js"

export interface LoadOptions {
  /** Randomness for the secrets the embedded default generates; crypto.randomBytes unless a test pins it. */
  readonly randomBytes?: (size: number) => Uint8Array
}

export const DEFAULTS = {
  port: 3000,
  /**
   * The embedded default stays on loopback (a laptop); a deployment (MONGO_URI or STRIPE_SECRET_KEY
   * set) listens on every interface, as a container's published port or a platform's router needs.
   */
  host: { embedded: "127.0.0.1", deployed: "0.0.0.0" },
  /**
   * A deployment's load balancer learns of a terminating replica seconds late (Kubernetes endpoint
   * changes reach kube-proxy and ingresses asynchronously): until then its requests must still land.
   */
  drainDelaySeconds: { embedded: 0, deployed: 5 },
  logLevel: "info",
  /** Checkout bodies are a few kB; Stripe events stay well under 64 kB (embedded lists are capped at 10). */
  bodyLimitBytes: 256 * 1024,
  reservationTtlMinutes: 35,
  /** An order written late (a slow replica, a retried checkout) appears within seconds; an hour is ample. */
  webhookOrphanWindowSeconds: 3600,
  dbName: "settle",
  invoiceMode: "none",
  /** 10 MiB: Cloudinary's per-image limit on its free plan. */
  mediaMaxBytes: 10 * 1024 * 1024,
  /** Outside the checkout, so uploads never end up in git; MEDIA_DIR for a persistent disk. */
  mediaDir: join(tmpdir(), "settle-media"),
  cloudinaryFolder: "settle",
  /** Expiry keeps the runbook's leak count near 0; the repair job's grace period is 10 minutes anyway. */
  /**
   * Headers take a well-behaved client milliseconds; 30 s covers a checkout body and a 10 MiB upload
   * at ~350 kB/s; 5 s idle is Node's own keep-alive default (a balancer in front must idle less).
   */
  httpTimeoutSeconds: { headers: 10, request: 30, keepAlive: 5 },
  /** Identity providers issue admin tokens for minutes to hours; 12 h covers a working day. */
  adminTokenMaxLifetimeMinutes: 12 * 60,
  /** A scrape every 15 s (Prometheus' default) does at most one round of store counts per 5 s. */
  metricsGaugeEverySeconds: 5,
  jobs: {
    leaseSeconds: 60,
    everySeconds: { expiry: 60, repair: 15 * 60, invoiceRetry: 60, reconcile: 5 * 60 },
  },
} as const

// An unset variable on a deploy dashboard often arrives as "": treat it as unset, not as a bad value.
export const presentOnly = (env: Readonly<Record<string, string | undefined>>): RawEnv => {
  const raw: RawEnv = {}
  for (const name of VARIABLES) {
    const value = env[name]
    if (typeof value === "string" && value !== "") raw[name] = value
  }
  return raw
}

export const fieldProblems = (error: ParseResult.ParseError): ReadonlyArray<ConfigProblem> =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
    variable: String(issue.path[0] ?? "environment"),
    message: issue.message,
  }))

const order = (problem: ConfigProblem) => VARIABLES.indexOf(problem.variable as keyof Env)

/**
 * Decodes the server's configuration from `env` (process.env or a test's record): every variable's
 * problems and every cross-variable problem at once, or one typed Config with secrets Redacted.
 */
export const loadConfig = (
  env: Readonly<Record<string, string | undefined>>,
  options: LoadOptions = {},
): Either.Either<Config, ConfigError> => {
  const raw = presentOnly(env)
  const decoded = Schema.decodeUnknownEither(Env, { errors: "all" })(raw)
  const problems = [...(Either.isLeft(decoded) ? fieldProblems(decoded.left) : []), ...crossProblems(raw)]
  if (problems.length > 0 || Either.isLeft(decoded)) {
    return Either.left(new ConfigError({ problems: problems.toSorted((a, b) => order(a) - order(b)) }))
  }
  const random = options.randomBytes ?? ((size: number) => new Uint8Array(nodeRandomBytes(size)))
  return Either.right(assemble(decoded.right, random))
}

const assemble = (env: Env, random: (size: number) => Uint8Array): Config => {
  const port = env.PORT ?? DEFAULTS.port
  const deployment =
    env.MONGO_URI !== undefined || env.STRIPE_SECRET_KEY !== undefined ? "deployed" : "embedded"
  const host = env.HOST ?? DEFAULTS.host[deployment]
  const storage: StorageConfig =
    env.MONGO_URI === undefined
      ? { _tag: "Memory" }
      : {
          _tag: "Mongo",
          uri: Redacted.make(env.MONGO_URI),
          dbName: env.MONGO_DB_NAME ?? databaseOf(env.MONGO_URI) ?? DEFAULTS.dbName,
          allowNonAtomicStore: env.ALLOW_NON_ATOMIC_STORE === "true",
        }
  // The cross rules admitted a key only with its webhook secret and never beside PAYMENTS=sandbox, and
  // no key only on the embedded default or with PAYMENTS=sandbox: the sandbox is what was asked for.
  const payments: PaymentsConfig =
    env.STRIPE_SECRET_KEY === undefined || env.STRIPE_WEBHOOK_SECRET === undefined
      ? {
          _tag: "Sandbox",
          webhookSecret: Redacted.make(env.STRIPE_WEBHOOK_SECRET ?? `whsec_${encode(random(32), "base64")}`),
        }
      : {
          _tag: "Stripe",
          secretKey: Redacted.make(env.STRIPE_SECRET_KEY),
          webhookSecret: Redacted.make(env.STRIPE_WEBHOOK_SECRET),
          livemode: /^(sk|rk)_live_/.test(env.STRIPE_SECRET_KEY),
          ...(env.STRIPE_API_BASE_URL === undefined ? {} : { apiBaseUrl: env.STRIPE_API_BASE_URL }),
        }
  const claims = {
    ...(env.ADMIN_JWT_ISSUER === undefined ? {} : { issuer: env.ADMIN_JWT_ISSUER }),
    ...(env.ADMIN_JWT_AUDIENCE === undefined ? {} : { audience: env.ADMIN_JWT_AUDIENCE }),
    maxLifetimeSeconds: (env.ADMIN_TOKEN_MAX_LIFETIME_MINUTES ?? DEFAULTS.adminTokenMaxLifetimeMinutes) * 60,
  }
  const admin: AdminAuthConfig =
    env.ADMIN_JWKS_URL !== undefined
      ? { _tag: "Jwks", url: env.ADMIN_JWKS_URL, ...claims }
      : {
          _tag: "SharedSecret",
          secret: Redacted.make(env.ADMIN_JWT_SECRET ?? encode(random(48), "base64url")),
          generated: env.ADMIN_JWT_SECRET === undefined,
          ...claims,
        }
  const media = mediaOf(env)
  return {
    server: {
      host,
      port,
      publicUrl: env.PUBLIC_URL ?? null,
      bodyLimitBytes: env.BODY_LIMIT_BYTES ?? DEFAULTS.bodyLimitBytes,
      drainDelayMs: (env.DRAIN_DELAY_SECONDS ?? DEFAULTS.drainDelaySeconds[deployment]) * 1000,
      timeouts: {
        headersMs: (env.HTTP_HEADERS_TIMEOUT_SECONDS ?? DEFAULTS.httpTimeoutSeconds.headers) * 1000,
        requestMs: (env.HTTP_REQUEST_TIMEOUT_SECONDS ?? DEFAULTS.httpTimeoutSeconds.request) * 1000,
        keepAliveMs: (env.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS ?? DEFAULTS.httpTimeoutSeconds.keepAlive) * 1000,
      },
      cors: { shopOrigins: env.CORS_ORIGINS ?? [], adminOrigins: env.CORS_ADMIN_ORIGINS ?? [] },
      gaugeEveryMs: (env.METRICS_GAUGE_EVERY_SECONDS ?? DEFAULTS.metricsGaugeEverySeconds) * 1000,
      metricsToken: env.METRICS_TOKEN === undefined ? null : Redacted.make(env.METRICS_TOKEN),
    },
    logLevel: env.LOG_LEVEL ?? DEFAULTS.logLevel,
    storage,
    payments,
    admin,
    media,
    reservationTtlMs: (env.RESERVATION_TTL_MINUTES ?? DEFAULTS.reservationTtlMinutes) * 60_000,
    webhookOrphanWindowMs: (env.WEBHOOK_ORPHAN_WINDOW_SECONDS ?? DEFAULTS.webhookOrphanWindowSeconds) * 1000,
    invoiceMode: env.INVOICE_MODE ?? DEFAULTS.invoiceMode,
    jobs: jobsOf(env),
    notices: [...notices(storage, payments, admin), ...mediaNotices(storage, media)],
  }
}

const jobsOf = (env: Env): JobsConfig => {
  const every = DEFAULTS.jobs.everySeconds
  return {
    enabled: env.JOBS_ENABLED !== "false",
    leaseMs: (env.JOB_LEASE_SECONDS ?? DEFAULTS.jobs.leaseSeconds) * 1000,
    everyMs: {
      expiry: (env.JOB_EXPIRY_EVERY_SECONDS ?? every.expiry) * 1000,
      repair: (env.JOB_REPAIR_EVERY_SECONDS ?? every.repair) * 1000,
      invoiceRetry: (env.JOB_INVOICE_RETRY_EVERY_SECONDS ?? every.invoiceRetry) * 1000,
      reconcile: (env.JOB_RECONCILE_EVERY_SECONDS ?? every.reconcile) * 1000,
    },
  }
}

const mediaOf = (env: Env): MediaConfig => ({
  maxBytes: env.MEDIA_MAX_BYTES ?? DEFAULTS.mediaMaxBytes,
  store:
    env.CLOUDINARY_CLOUD_NAME === undefined ||
    env.CLOUDINARY_API_KEY === undefined ||
    env.CLOUDINARY_API_SECRET === undefined
      ? { _tag: "LocalDisk", directory: env.MEDIA_DIR ?? DEFAULTS.mediaDir }
      : {
          _tag: "Cloudinary",
          cloudName: env.CLOUDINARY_CLOUD_NAME,
          apiKey: Redacted.make(env.CLOUDINARY_API_KEY),
          apiSecret: Redacted.make(env.CLOUDINARY_API_SECRET),
          folder: env.CLOUDINARY_FOLDER ?? DEFAULTS.cloudinaryFolder,
          ...(env.CLOUDINARY_API_BASE_URL === undefined ? {} : { apiBaseUrl: env.CLOUDINARY_API_BASE_URL }),
        },
})

/** A deployment (orders in MongoDB) whose images live on one machine's disk loses them with that disk. */
const mediaNotices = (storage: StorageConfig, media: MediaConfig): ReadonlyArray<string> =>
  storage._tag === "Mongo" && media.store._tag === "LocalDisk"
    ? [
        `CLOUDINARY_CLOUD_NAME, CLOUDINARY_API_KEY and CLOUDINARY_API_SECRET are not set: uploaded images are kept on this machine's disk in ${media.store.directory}; a redeploy on an ephemeral disk (Render) or another replica will not have them.`,
      ]
    : []

const encode = (bytes: Uint8Array, encoding: "base64" | "base64url"): string =>
  Buffer.from(bytes).toString(encoding)

const notices = (
  storage: StorageConfig,
  payments: PaymentsConfig,
  admin: AdminAuthConfig,
): ReadonlyArray<string> => {
  const said: Array<string> = []
  if (storage._tag === "Memory" && payments._tag === "Sandbox") {
    said.push(
      "Embedded default: in-memory stores and the sandbox payment gateway; nothing persists and no real payment is taken. Set MONGO_URI and STRIPE_SECRET_KEY for a real deployment.",
    )
  } else if (storage._tag === "Memory") {
    said.push("MONGO_URI is not set: orders live in memory and are lost on restart.")
  } else if (payments._tag === "Sandbox") {
    said.push(
      "PAYMENTS=sandbox: payments go through the sandbox gateway; no real payment is taken. Set STRIPE_SECRET_KEY and unset PAYMENTS to take payments.",
    )
  }
  if (admin._tag === "SharedSecret" && admin.generated) {
    said.push(
      "ADMIN_JWT_SECRET is not set: a random one was generated for this run; admin tokens stop working on restart.",
    )
  }
  return said
}
