import { Clock, JobLeases, type JobRun, type StoreError } from "@settle/domain"
import { Cause, Duration, Effect, Exit, Ref } from "effect"
import { countsOf, didWork, JOBS, type JobName, type JobReport, type JobServices } from "./catalog.js"
import { JobBusy, JobInterrupted } from "./errors.js"

export interface LeaseSettings {
  /** How long a run holds its job without renewing; a replica that dies holds the job up no longer. */
  readonly leaseMs: number
  /** A run still going after this long is stopped; the next run carries on where it left off. */
  readonly runTimeoutMs: number
}

/** Renewals per lease period: two in a row can fail (a slow store) before the lease runs out. */
const RENEWALS_PER_LEASE = 3

/** Driver errors may quote a connection string; its user:password must not reach a run record. */
const redact = (text: string): string => text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, "$1***@")

/** `<_tag>: <message>` of a failure, for the run record and the log. */
const describe = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.squash(cause)
  if (typeof failure !== "object" || failure === null) return redact(String(failure))
  const { _tag, message } = failure as { _tag?: unknown; message?: unknown }
  const text = typeof message === "string" && message !== "" ? message : String(failure)
  return redact(typeof _tag === "string" ? `${_tag}: ${text}` : text)
}

/**
 * Keeps the lease while the run works, and fails once it cannot: refused (another run took the job
 * over after a pause of ours) or not renewed before it would expire. Never succeeds.
 */
const keepLease = (job: JobName, holder: string, settings: LeaseSettings) =>
  Effect.gen(function* () {
    const leases = yield* JobLeases
    const clock = yield* Clock
    const period = settings.leaseMs / RENEWALS_PER_LEASE
    const validUntil = yield* Ref.make((yield* clock.now).getTime() + settings.leaseMs)
    const renew = Effect.gen(function* () {
      yield* Effect.sleep(Duration.millis(period))
      const now = yield* clock.now
      const renewed = yield* Effect.either(leases.acquire(job, holder, now, settings.leaseMs))
      if (renewed._tag === "Right") {
        if (!renewed.right)
          return yield* new JobInterrupted({ job, reason: "another run took its lease over" })
        return yield* Ref.set(validUntil, now.getTime() + settings.leaseMs)
      }
      yield* Effect.logWarning(`[jobs.${job}] could not renew the lease: ${renewed.left.message}`)
      if (now.getTime() + period >= (yield* Ref.get(validUntil))) {
        return yield* new JobInterrupted({ job, reason: "its lease could not be renewed before it expired" })
      }
    })
    return yield* Effect.forever(renew)
  })

/**
 * One run of `job` as `holder`: take the lease (JobBusy when another run has it), work while renewing
 * it, then give it back with the run's record, which every replica's status shows. The run's own
 * failure is in the record, not in the error channel: the run happened either way. Interrupted
 * (shutdown) or not, the lease is released, so another replica can carry on at once rather than after
 * it expires.
 */
export const runUnderLease = (
  job: JobName,
  holder: string,
  settings: LeaseSettings,
): Effect.Effect<JobRun, JobBusy | StoreError, JobServices> =>
  Effect.gen(function* () {
    const leases = yield* JobLeases
    const clock = yield* Clock
    const startedAt = yield* clock.now
    const record = (outcome: JobRun["outcome"], report: JobReport | null, error: string | null) =>
      Effect.map(
        clock.now,
        (finishedAt): JobRun => ({ holder, startedAt, finishedAt, outcome, report, error }),
      )
    const took = (run: JobRun) => `${run.finishedAt.getTime() - run.startedAt.getTime()} ms`

    const take = Effect.flatMap(leases.acquire(job, holder, startedAt, settings.leaseMs), (taken) =>
      taken
        ? Effect.void
        : Effect.flatMap(leases.list(), (all) => {
            const lease = all.find((candidate) => candidate.job === job)
            return new JobBusy({ job, holder: lease?.holder ?? null, expiresAt: lease?.expiresAt ?? null })
          }),
    )

    const work = JOBS[job].run.pipe(
      Effect.timeoutFail({
        duration: Duration.millis(settings.runTimeoutMs),
        onTimeout: () =>
          new JobInterrupted({ job, reason: `it ran longer than ${settings.runTimeoutMs} ms` }),
      }),
      Effect.raceFirst(keepLease(job, holder, settings)),
    )

    const finish = (exit: Exit.Exit<JobReport, unknown>) =>
      Exit.match(exit, {
        onSuccess: (report) =>
          Effect.tap(record("succeeded", report, null), (run) => {
            const line = `[jobs.${job}] finished in ${took(run)}: ${countsOf(report)}`
            // The report as a field too, so a log query can sum the counts across replicas.
            const log = didWork(report) ? Effect.logInfo(line) : Effect.logDebug(line)
            return Effect.annotateLogs(log, { report })
          }),
        onFailure: (cause) =>
          Effect.tap(record("failed", null, describe(cause)), (run) =>
            Effect.logError(`[jobs.${job}] failed after ${took(run)}: ${run.error}`),
          ),
      })

    const release = (run: JobRun) =>
      leases
        .release(job, holder, run)
        .pipe(
          Effect.catchAll((error) =>
            Effect.logWarning(
              `[jobs.${job}] could not release the lease (it expires by itself): ${error.message}`,
            ),
          ),
        )

    return yield* Effect.acquireUseRelease(
      take,
      () => Effect.flatMap(Effect.exit(work), finish),
      (_, used) =>
        Exit.isSuccess(used)
          ? release(used.value)
          : // Interrupted from outside: the replica is shutting down mid-run.
            Effect.flatMap(record("failed", null, "interrupted: the replica shut down mid-run"), (run) =>
              Effect.zipRight(
                Effect.logWarning(`[jobs.${job}] interrupted after ${took(run)}; lease released`),
                release(run),
              ),
            ),
    )
  }).pipe(Effect.annotateLogs({ job, holder }))
