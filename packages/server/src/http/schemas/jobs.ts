import { Schema } from "effect"
import { AnyJson, IsoDateTime, NextCursor, NullableDateTime } from "./common.js"

export const JobRunJson = Schema.Struct({
  holder: Schema.String,
  startedAt: IsoDateTime,
  finishedAt: IsoDateTime,
  outcome: Schema.Literal("succeeded", "failed"),
  /** The job's own report (counts, drift); null when the run failed. */
  report: AnyJson,
  error: Schema.NullOr(Schema.String),
}).annotations({ identifier: "JobRun" })
export type JobRunJson = typeof JobRunJson.Type

export const JobStatusJson = Schema.Struct({
  name: Schema.String,
  title: Schema.String,
  /** This replica's interval; null when it does not schedule the job. */
  everySeconds: Schema.NullOr(Schema.Number),
  lease: Schema.NullOr(
    Schema.Struct({ holder: Schema.String, acquiredAt: NullableDateTime, expiresAt: NullableDateTime }),
  ),
  lastRun: Schema.NullOr(JobRunJson),
}).annotations({ identifier: "JobStatus" })
export type JobStatusJson = typeof JobStatusJson.Type

/** `GET /api/v1/admin/jobs`: this replica, and a page of jobs in the catalog's order. */
export const JobList = Schema.Struct({
  replica: Schema.String,
  jobs: Schema.Array(JobStatusJson),
  nextCursor: NextCursor,
})

/** `POST /api/v1/admin/jobs/:name/run`. */
export const JobRunAnswer = Schema.Struct({ job: Schema.String, run: JobRunJson })
