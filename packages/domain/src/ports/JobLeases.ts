import { Context, type Effect } from "effect"
import type { StoreError } from "../errors.js"
import type { JobLease, JobRun } from "../model/JobLease.js"

/**
 * Mutual exclusion of background jobs across the replicas that share one database: a run takes its
 * job's lease first and renews it while it works, so a replica that dies mid-run holds the job up only
 * until its lease expires. `now` is the caller's clock: replicas' clocks must agree to well within a
 * lease's time to live.
 */
export interface JobLeases {
  /** Take `job` for `ttlMs` from `now` when it is free, expired or already `holder`'s (a renewal); one atomic write. */
  readonly acquire: (
    job: string,
    holder: string,
    now: Date,
    ttlMs: number,
  ) => Effect.Effect<boolean, StoreError>
  /** Give `job` back if `holder` still has it, recording `run`; a lease another holder took over is left alone. */
  readonly release: (job: string, holder: string, run: JobRun | null) => Effect.Effect<void, StoreError>
  /** Every job ever leased, with its holder and last run, ordered by job name. */
  readonly list: () => Effect.Effect<ReadonlyArray<JobLease>, StoreError>
}

export const JobLeases = Context.GenericTag<JobLeases>("@settle/domain/JobLeases")
