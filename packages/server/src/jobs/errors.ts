import { Data } from "effect"

/**
 * Why a job did not run, or stopped. Like every failure they carry no status: `http/errors.ts` maps
 * the `_tag`.
 */

/** Another run holds the job's lease (on this replica or another): one at a time, cluster-wide. */
export class JobBusy extends Data.TaggedError("JobBusy")<{
  readonly job: string
  readonly holder: string | null
  readonly expiresAt: Date | null
}> {}

export class JobNotFound extends Data.TaggedError("JobNotFound")<{
  readonly job: string
  readonly known: ReadonlyArray<string>
}> {}

/**
 * Stops a run before it finished: out of time, or its lease could not be kept (another replica may
 * have taken over). Each step of every job is idempotent, so what it did stays done and the next run
 * carries on. Recorded as the run's failure.
 */
export class JobInterrupted extends Data.TaggedError("JobInterrupted")<{
  readonly job: string
  readonly reason: string
}> {
  override get message(): string {
    return this.reason
  }
}

/** An admin's run ended in failure (recorded as its job's last run); answered 503, as the store's own outages are. */
export class JobFailed extends Data.TaggedError("JobFailed")<{
  readonly job: string
  readonly error: string
}> {}
