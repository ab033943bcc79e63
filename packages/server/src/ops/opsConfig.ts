import type { InvoiceMode } from "@settle/domain"
import { Either, Schema } from "effect"
import { Env, type LogLevel } from "../config/Config.js"
import { ConfigError } from "../config/ConfigError.js"
import { databaseOf } from "../config/checks.js"
import { DEFAULTS, fieldProblems, presentOnly } from "../config/loadConfig.js"

/**
 * The server's variables a store command uses, decoded by the server's own checks. Only these: an
 * operator querying the store from a laptop should not need the admin JWT secret or Cloudinary keys
 * (`pnpm ops doctor` checks all of them).
 */
const OpsEnv = Env.pick(
  "MONGO_URI",
  "MONGO_DB_NAME",
  "STRIPE_SECRET_KEY",
  "STRIPE_API_BASE_URL",
  "INVOICE_MODE",
  "JOB_LEASE_SECONDS",
  "LOG_LEVEL",
)

export interface OpsConfig {
  readonly mongo: { readonly uri: string; readonly dbName: string } | null
  /** Null without STRIPE_SECRET_KEY: replay by session cannot ask Stripe then. */
  readonly stripe: { readonly secretKey: string; readonly apiBaseUrl?: string } | null
  readonly invoiceMode: InvoiceMode
  /** How long a job run from here holds the job's lease without renewing: the replicas' JOB_LEASE_SECONDS. */
  readonly jobLeaseMs: number
  /** LOG_LEVEL if set; the CLI keeps stderr to warnings otherwise. */
  readonly logLevel: LogLevel
}

/** What every store command needs: MONGO_URI set. */
export type StoreConfig = OpsConfig & { readonly mongo: NonNullable<OpsConfig["mongo"]> }

export const loadOpsConfig = (
  env: Readonly<Record<string, string | undefined>>,
): Either.Either<OpsConfig, ConfigError> =>
  Either.match(Schema.decodeUnknownEither(OpsEnv, { errors: "all" })(presentOnly(env)), {
    onLeft: (error) => Either.left(new ConfigError({ problems: fieldProblems(error) })),
    onRight: (decoded) =>
      Either.right({
        mongo:
          decoded.MONGO_URI === undefined
            ? null
            : {
                uri: decoded.MONGO_URI,
                dbName: decoded.MONGO_DB_NAME ?? databaseOf(decoded.MONGO_URI) ?? DEFAULTS.dbName,
              },
        stripe:
          decoded.STRIPE_SECRET_KEY === undefined
            ? null
            : {
                secretKey: decoded.STRIPE_SECRET_KEY,
                ...(decoded.STRIPE_API_BASE_URL === undefined
                  ? {}
                  : { apiBaseUrl: decoded.STRIPE_API_BASE_URL }),
              },
        invoiceMode: decoded.INVOICE_MODE ?? DEFAULTS.invoiceMode,
        jobLeaseMs: (decoded.JOB_LEASE_SECONDS ?? DEFAULTS.jobs.leaseSeconds) * 1000,
        logLevel: decoded.LOG_LEVEL ?? "warn",
      }),
  })
