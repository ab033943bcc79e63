import { hostname } from "node:os"
import { type AuditRecord, recordAudit } from "@settle/domain"
import { Effect, Option, Schema } from "effect"
import { JOBS, type JobName, type JobReport } from "../jobs/catalog.js"
import { JobFailed } from "../jobs/errors.js"
import { runUnderLease } from "../jobs/runUnderLease.js"
import { RUN_TIMEOUT_MS } from "../jobs/settings.js"

export interface JobRunResult {
  readonly report: JobReport
  readonly audit: AuditRecord
}

const asReport = (report: unknown): JobReport =>
  typeof report === "object" && report !== null ? (report as JobReport) : {}

/** Audited as the admin API's job trigger audits a run, so an auditor reads both the same way. */
const audit = (job: JobName, actor: string, reason: string, run: Readonly<Record<string, unknown>>) =>
  recordAudit({ actor, action: "job.run", orderId: null, reason, before: null, after: { job, ...run } })

/**
 * The job as a server replica runs it: under its lease (JobBusy while another run holds it, so a shell
 * and the replicas never work one job at once), recorded as the job's last run. A failed run is audited
 * too, since what it did before failing stays done.
 */
export const leasedRun = (job: JobName, actor: string, reason: string, leaseMs: number) =>
  Effect.gen(function* () {
    const holder = `${actor}@${hostname()}:${process.pid}`
    const run = yield* runUnderLease(job, holder, { leaseMs, runTimeoutMs: RUN_TIMEOUT_MS })
    const record = yield* audit(job, actor, reason, {
      holder,
      outcome: run.outcome,
      report: run.report,
      error: run.error,
    })
    if (run.outcome === "failed") return yield* new JobFailed({ job, error: run.error ?? "failed" })
    return { report: asReport(run.report), audit: record } satisfies JobRunResult
  })

/** The dry run's job: its own effect on the rehearsal's copy; no lease, since nothing real is written. */
export const rehearsedRun = (job: JobName, actor: string, reason: string) =>
  Effect.gen(function* () {
    const report = yield* JOBS[job].run
    const record = yield* audit(job, actor, reason, {
      holder: null,
      outcome: "succeeded",
      report,
      error: null,
    })
    return { report, audit: record } satisfies JobRunResult
  })

export const jobRun = (dryRun: boolean, job: JobName, actor: string, reason: string, leaseMs: number) =>
  dryRun ? rehearsedRun(job, actor, reason) : leasedRun(job, actor, reason, leaseMs)

const Counters = Schema.Struct({ available: Schema.Number, reservedCount: Schema.Number })
const Drift = Schema.Array(Schema.Struct({ code: Schema.String, before: Counters, after: Counters }))

const RecordDrift = Schema.Array(
  Schema.Struct({
    code: Schema.String,
    reservedCount: Schema.Number,
    reservedRecords: Schema.Number,
    heldWithoutRecord: Schema.Array(Schema.String),
    recordedWithoutHold: Schema.Array(Schema.String),
  }),
)

const orderList = (label: string, ids: ReadonlyArray<string>) =>
  ids.length === 0 ? [] : [`${label} ${ids.join(", ")}`]

/** The repair job's disagreements between coupon counters and reservation records, one line each. */
export const recordDriftLines = (report: JobReport): ReadonlyArray<string> =>
  Option.match(Schema.decodeUnknownOption(RecordDrift)(report.recordDrift), {
    onNone: () => [],
    onSome: (drift) =>
      drift.map((d) =>
        [
          `  coupon ${d.code}: reservedCount ${d.reservedCount}, reserved records ${d.reservedRecords}`,
          ...orderList("held without a record:", d.heldWithoutRecord),
          ...orderList("recorded without a hold:", d.recordedWithoutHold),
        ].join("; "),
      ),
  })

/** The repair job's drift per coupon, one line each. */
export const driftLines = (report: JobReport): ReadonlyArray<string> =>
  Option.match(Schema.decodeUnknownOption(Drift)(report.drift), {
    onNone: () => [],
    onSome: (drift) =>
      drift.map(
        (d) =>
          `  coupon ${d.code}: reservedCount ${d.before.reservedCount} → ${d.after.reservedCount}, available ${d.before.available} → ${d.after.available}`,
      ),
  })
