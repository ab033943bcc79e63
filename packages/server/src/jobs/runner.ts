import { randomBytes } from "node:crypto"
import { hostname } from "node:os"
import { Clock, type JobLease, JobLeases, type JobRun, type StoreError } from "@settle/domain"
import { Duration, Effect, Fiber, type ManagedRuntime } from "effect"
import { isJobName, JOB_NAMES, JOBS, type JobName, type JobServices } from "./catalog.js"
import { type JobBusy, JobNotFound } from "./errors.js"
import { type LeaseSettings, runUnderLease } from "./runUnderLease.js"

export interface JobsSettings extends LeaseSettings {
  /** How often this replica runs each job; a job left out is not scheduled here (admins can still run it). */
  readonly everyMs: Partial<Record<JobName, number>>
}

/** A job's state as every replica sees it: its lease and its last run come from the store. */
export interface JobStatus {
  readonly name: JobName
  readonly title: string
  /** This replica's interval; null when it does not schedule the job. */
  readonly everyMs: number | null
  /** The current holder's lease; null when the job is free. */
  readonly lease: { readonly holder: string; readonly acquiredAt: Date; readonly expiresAt: Date } | null
  readonly lastRun: JobRun | null
}

export interface JobRunner {
  /** This process among the replicas: `<host>:<pid>:<random>`, the prefix of its runs' lease holders. */
  readonly replica: string
  /** Run a job now under its lease: the admin trigger. */
  readonly runNow: (name: string) => Effect.Effect<JobRun, JobNotFound | JobBusy | StoreError, JobServices>
  readonly status: Effect.Effect<ReadonlyArray<JobStatus>, StoreError, JobServices>
  /** Run the scheduled jobs on `runtime` until the returned stop is called. */
  readonly start: (runtime: ManagedRuntime.ManagedRuntime<JobServices, unknown>) => {
    readonly stop: () => Promise<void>
  }
}

/** Replicas started together would otherwise run in lockstep and queue on each other's leases. */
const JITTER = 0.1
const jittered = (ms: number) => Duration.millis(ms * (1 - JITTER + Math.random() * 2 * JITTER))

const activeLease = (lease: JobLease | undefined, now: Date): JobStatus["lease"] =>
  lease?.holder != null && lease.acquiredAt !== null && lease.expiresAt !== null && lease.expiresAt > now
    ? { holder: lease.holder, acquiredAt: lease.acquiredAt, expiresAt: lease.expiresAt }
    : null

export const makeJobRunner = (settings: JobsSettings): JobRunner => {
  const replica = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`
  let runs = 0
  // A holder per run, not per replica: a run an admin starts and a scheduled one on the same replica
  // exclude each other through the lease exactly as runs on two replicas do.
  const nextHolder = () => `${replica}/${++runs}`

  const runNow = (name: string) =>
    isJobName(name)
      ? runUnderLease(name, nextHolder(), settings)
      : Effect.fail(new JobNotFound({ job: name, known: JOB_NAMES }))

  const status = Effect.gen(function* () {
    const now = yield* (yield* Clock).now
    const leases = yield* (yield* JobLeases).list()
    return JOB_NAMES.map((name): JobStatus => {
      const lease = leases.find((candidate) => candidate.job === name)
      return {
        name,
        title: JOBS[name].title,
        everyMs: settings.everyMs[name] ?? null,
        lease: activeLease(lease, now),
        lastRun: lease?.lastRun ?? null,
      }
    })
  })

  /** Never two runs of a job from this loop: the next waits for the last to end, then for the interval. */
  const loop = (name: JobName, everyMs: number) =>
    Effect.gen(function* () {
      // A random first delay spreads replicas (and the jobs of one) across the interval.
      yield* Effect.sleep(Duration.millis(Math.random() * everyMs))
      const once = Effect.suspend(() => runUnderLease(name, nextHolder(), settings)).pipe(
        Effect.asVoid,
        Effect.catchTag("JobBusy", (busy) =>
          Effect.logDebug(`[jobs.${name}] skipped: ${busy.holder ?? "another run"} holds the lease`),
        ),
        Effect.catchTag("StoreError", (error) =>
          Effect.logWarning(`[jobs.${name}] could not take the lease: ${error.message}`),
        ),
        Effect.catchAllDefect((defect) => Effect.logError(`[jobs.${name}] crashed: ${String(defect)}`)),
      )
      yield* Effect.forever(Effect.zipRight(once, Effect.sleep(jittered(everyMs))))
    })

  const start = (runtime: ManagedRuntime.ManagedRuntime<JobServices, unknown>) => {
    const scheduled = JOB_NAMES.flatMap((name) => {
      const everyMs = settings.everyMs[name]
      return everyMs === undefined ? [] : [loop(name, everyMs)]
    })
    if (scheduled.length === 0) return { stop: async () => undefined }
    const fiber = runtime.runFork(
      Effect.zipRight(
        Effect.logInfo(`[jobs] scheduling ${scheduled.length} jobs on replica ${replica}`),
        Effect.all(scheduled, { concurrency: "unbounded", discard: true }),
      ),
    )
    // Interrupting a run releases its lease with an "interrupted" record (runUnderLease), so another
    // replica carries on at once; every step of every job is idempotent, so stopping mid-run is safe.
    return { stop: () => Effect.runPromise(Fiber.interrupt(fiber)).then(() => undefined) }
  }

  return { replica, runNow, status, start }
}
