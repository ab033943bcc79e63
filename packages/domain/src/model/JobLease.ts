import { Schema } from "effect"

/** How a job's run ended, kept with its lease so that every replica reports the same last run. */
export const JobRun = Schema.Struct({
  holder: Schema.String,
  startedAt: Schema.DateFromSelf,
  finishedAt: Schema.DateFromSelf,
  outcome: Schema.Literal("succeeded", "failed"),
  /** The job's own report (counts, drift) as JSON-like data; null when the run failed. */
  report: Schema.NullOr(Schema.Unknown),
  /** Why the run failed; null when it succeeded. */
  error: Schema.NullOr(Schema.String),
})
export type JobRun = typeof JobRun.Type

/** Who may run a job now, and how its last run ended. */
export const JobLease = Schema.Struct({
  job: Schema.String,
  /** The run holding the lease; null once released. An expired lease still names its last holder. */
  holder: Schema.NullOr(Schema.String),
  /** When the holder first took the lease (its renewals keep this); null once released. */
  acquiredAt: Schema.NullOr(Schema.DateFromSelf),
  /** Until when the holder has it unless it renews; null once released. */
  expiresAt: Schema.NullOr(Schema.DateFromSelf),
  lastRun: Schema.NullOr(JobRun),
})
export type JobLease = typeof JobLease.Type

/** Whether `holder` may take `lease` at `now`: it is free, expired (at `expiresAt` exactly), or already its own. */
export const mayTake = (lease: JobLease | null, holder: string, now: Date): boolean =>
  lease === null ||
  lease.holder === null ||
  lease.holder === holder ||
  lease.expiresAt === null ||
  lease.expiresAt.getTime() <= now.getTime()
