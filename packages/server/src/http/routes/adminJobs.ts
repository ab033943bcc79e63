import type Router from "@koa/router"
import { decodeInput, type JobRun, recordAudit } from "@settle/domain"
import { Effect, Schema } from "effect"
import { JobFailed } from "../../jobs/errors.js"
import type { JobRunner, JobStatus } from "../../jobs/runner.js"
import { readJson } from "../body.js"
import { respond } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"
import type { JobRunJson, JobStatusJson } from "../schemas/jobs.js"
import { actorOf, requireAdmin } from "./adminGuard.js"

export interface JobRouteDeps extends RouteDeps {
  readonly jobs: JobRunner
}

/** Why an admin runs a job by hand; the audit record keeps it, as the runbook asks of every manual step. */
const RunRequest = Schema.Struct({
  reason: Schema.Trim.pipe(
    Schema.minLength(1, { message: () => "reason must not be empty" }),
    Schema.maxLength(2000, { message: () => "reason must be at most 2000 characters" }),
  ),
})

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString())

const runView = (run: JobRun): JobRunJson => ({
  holder: run.holder,
  startedAt: run.startedAt.toISOString(),
  finishedAt: run.finishedAt.toISOString(),
  outcome: run.outcome,
  report: run.report,
  error: run.error,
})

const statusView = (job: JobStatus): JobStatusJson => ({
  name: job.name,
  title: job.title,
  everySeconds: job.everyMs === null ? null : job.everyMs / 1000,
  lease:
    job.lease === null
      ? null
      : {
          holder: job.lease.holder,
          acquiredAt: iso(job.lease.acquiredAt),
          expiresAt: iso(job.lease.expiresAt),
        },
  lastRun: job.lastRun === null ? null : runView(job.lastRun),
})

/**
 * Runs `name` now under its lease and audits it. A refused run (unknown job, bad input, another run
 * holding the lease) changed nothing and leaves no record; a run that started leaves one whatever its end.
 */
const runByAdmin = (jobs: JobRunner, name: string, input: unknown, actor: string) =>
  Effect.gen(function* () {
    const { reason } = yield* decodeInput(RunRequest)(input)
    const run = yield* jobs.runNow(name)
    yield* recordAudit({
      actor,
      action: "job.run",
      orderId: null,
      reason,
      before: null,
      after: { job: name, holder: run.holder, outcome: run.outcome, report: run.report, error: run.error },
    })
    if (run.outcome === "failed") return yield* new JobFailed({ job: name, error: run.error ?? "failed" })
    return run
  })

/** The jobs' status as every replica sees it, and the runbook's "re-run the … job" as an admin call. */
export const adminJobRoutes = (router: Router, deps: JobRouteDeps): void => {
  const admin = requireAdmin(deps)
  const path = "/api/v1/admin/jobs"

  router.get(path, admin, (ctx) =>
    respond(ctx, deps.runtime, deps.jobs.status, 200, (jobs) => ({
      replica: deps.jobs.replica,
      jobs: jobs.map(statusView),
    })),
  )

  router.post(`${path}/:name/run`, admin, async (ctx) => {
    const name = ctx.params.name ?? ""
    const input = await readJson(ctx, deps.bodyLimitBytes)
    await respond(ctx, deps.runtime, runByAdmin(deps.jobs, name, input, actorOf(ctx.state)), 200, (run) => ({
      job: name,
      run: runView(run),
    }))
  })
}
