import {
  type Clock,
  expireReservations,
  type IdGenerator,
  type InvoiceProvider,
  issueInvoices,
  type Metrics,
  type PaymentGateway,
  reconcileOrders,
  repairReservations,
  type StoragePorts,
  type StoreError,
} from "@settle/domain"
import { Effect } from "effect"

export const JOB_NAMES = ["expiry", "repair", "invoice-retry", "reconcile"] as const
export type JobName = (typeof JOB_NAMES)[number]

export const isJobName = (name: string): name is JobName =>
  (JOB_NAMES as ReadonlyArray<string>).includes(name)

/** What a run reports: counts, and for the repair job the drift per coupon. Kept as its last run. */
export type JobReport = Readonly<Record<string, unknown>>

/** What the jobs use: the domain's ports, nothing of HTTP; the server's runtime provides them all. */
export type JobServices = StoragePorts | Clock | IdGenerator | PaymentGateway | InvoiceProvider | Metrics

export interface Job {
  /** What the runbook calls it, for the status page. */
  readonly title: string
  readonly run: Effect.Effect<JobReport, StoreError, JobServices>
}

/**
 * The background jobs, each a thin wrapper over its domain use-case, which does the work order by
 * order (never in bulk) with idempotent, conditional writes: a run cut short anywhere is finished by
 * the next one.
 */
export const JOBS: Readonly<Record<JobName, Job>> = {
  expiry: {
    title:
      "Coupon reservation expiry: pending orders and reservations past expiresAt are expired, capacity returned",
    run: expireReservations().pipe(Effect.map((report): JobReport => ({ ...report }))),
  },
  repair: {
    title:
      "Reservation repair: orphan holds released, records settled, coupon counters recomputed, drift reported (against the holds and the records)",
    run: repairReservations().pipe(
      Effect.map(
        (report): JobReport => ({
          ...report,
          couponsDrifted: report.drift.length,
          couponsMisrecorded: report.recordDrift.length,
        }),
      ),
    ),
  },
  "invoice-retry": {
    title: "Invoice retry: due and failed invoices issued once each, with exponential backoff",
    run: issueInvoices().pipe(Effect.map((report): JobReport => ({ ...report }))),
  },
  reconcile: {
    title:
      "Stuck-order reconciler: pending and paid orders older than 10 minutes checked against the payment gateway",
    run: reconcileOrders().pipe(Effect.map((report): JobReport => ({ ...report }))),
  },
}

/** `k=v` for each count in a report, for the `[jobs.<name>]` log line. */
export const countsOf = (report: JobReport): string =>
  Object.entries(report)
    .filter(([, value]) => typeof value === "number")
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(" ")

/** Whether a run changed anything: quiet runs log at debug, so the log shows work, not heartbeats. */
export const didWork = (report: JobReport): boolean =>
  Object.values(report).some((value) => typeof value === "number" && value > 0)
