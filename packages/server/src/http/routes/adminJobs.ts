import { decodeInput, type JobRun, readPage, recordAudit } from "@settle/domain"
import { Effect, Schema } from "effect"
import { JOB_NAMES } from "../../jobs/catalog.js"
import { JobFailed } from "../../jobs/errors.js"
import type { JobRunner, JobStatus } from "../../jobs/runner.js"
import { defineRoute } from "../contract/route.js"
import { PageQuery, pageAnswer, readFromList } from "../pagination.js"
import { respond } from "../respond.js"
import type { RouteDeps } from "../routeDeps.js"
import { nonBlankText } from "../schemas/common.js"
import { JobList, JobRunAnswer, type JobRunJson, type JobStatusJson } from "../schemas/jobs.js"
import { actorOf } from "./adminGuard.js"
import { LIST_ERRORS } from "./adminRefusals.js"

export interface JobRouteDeps extends RouteDeps {
  readonly jobs: JobRunner
}

/** Why an admin runs a job by hand; the audit record keeps it, as the runbook asks of every manual step. */
const RunRequest = Schema.Struct({
  reason: Schema.Trim.pipe(
    Schema.minLength(1, { message: () => "reason must not be empty" }),
    Schema.maxLength(2000, { message: () => "reason must be at most 2000 characters" }),
  ).annotations(nonBlankText(2000)),
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

const tags = ["admin: jobs"]

/** The jobs in the catalog's order, paged like every admin list (a cursor names the last job served). */
const jobPage = (deps: JobRouteDeps, query: unknown) =>
  Effect.gen(function* () {
    const request = yield* decodeInput(PageQuery)(query)
    const jobs = yield* deps.jobs.status
    return yield* readPage(
      request,
      Schema.Literal(...JOB_NAMES),
      readFromList(jobs, "name"),
      (job) => job.name,
    )
  })

/** The jobs' status as every replica sees it. */
export const listJobsRoute = defineRoute<JobRouteDeps>({
  method: "get",
  path: "/api/v1/admin/jobs",
  operationId: "adminListJobs",
  summary: "Each background job with its interval, lease and last run",
  tags,
  auth: "admin",
  request: { query: PageQuery },
  responses: { 200: { description: "This replica's id and a page of jobs", schema: JobList } },
  errors: LIST_ERRORS,
  handler: (ctx, deps) =>
    respond(ctx, deps.runtime, jobPage(deps, ctx.query), 200, (page) => ({
      replica: deps.jobs.replica,
      ...pageAnswer("jobs", page, statusView),
    })),
})

/** The runbook's "re-run the … job" as an admin call. */
export const runJobRoute = defineRoute<JobRouteDeps>({
  method: "post",
  path: "/api/v1/admin/jobs/{name}/run",
  operationId: "adminRunJob",
  summary: "Run a job now under its lease, audited `job.run`",
  tags,
  auth: "admin",
  idempotent: true,
  request: {
    params: Schema.Struct({ name: Schema.Literal(...JOB_NAMES) }),
    body: { kind: "json", schema: RunRequest },
  },
  responses: { 200: { description: "The run, finished", schema: JobRunAnswer } },
  errors: {
    404: { description: "No job of that name (`details.known` lists them)", codes: ["JOB_NOT_FOUND"] },
    409: {
      description: "Another run holds the job's lease; try again once it has finished",
      codes: ["JOB_BUSY"],
    },
    503: {
      description: "The run started and failed (`details.error`); what it did is kept",
      codes: ["JOB_FAILED"],
      headers: { "Retry-After": { description: "Seconds to wait before retrying" } },
    },
  },
  handler: async (ctx, deps, { body }) => {
    const name = ctx.params.name ?? ""
    await respond(ctx, deps.runtime, runByAdmin(deps.jobs, name, body, actorOf(ctx.state)), 200, (run) => ({
      job: name,
      run: runView(run),
    }))
  },
})

export const adminJobRoutes = [listJobsRoute, runJobRoute]
