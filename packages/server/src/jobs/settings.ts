import type { JobsConfig } from "../config/index.js"
import type { JobsSettings } from "./runner.js"

/** A run longer than this is stopped: far beyond a healthy run, short enough that a hung call ends. */
export const RUN_TIMEOUT_MS = 10 * 60_000

/** Nothing scheduled: the admin triggers only (a server started without jobs, e.g. in tests). */
export const unscheduled = (leaseMs = 60_000): JobsSettings => ({
  everyMs: {},
  leaseMs,
  runTimeoutMs: RUN_TIMEOUT_MS,
})

/** The decoded config's jobs, as the runner takes them; JOBS_ENABLED=false schedules none. */
export const jobsSettings = (config: JobsConfig): JobsSettings =>
  config.enabled
    ? {
        everyMs: {
          expiry: config.everyMs.expiry,
          repair: config.everyMs.repair,
          "invoice-retry": config.everyMs.invoiceRetry,
          reconcile: config.everyMs.reconcile,
        },
        leaseMs: config.leaseMs,
        runTimeoutMs: RUN_TIMEOUT_MS,
      }
    : unscheduled(config.leaseMs)
