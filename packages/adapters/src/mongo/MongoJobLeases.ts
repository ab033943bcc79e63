import { JobLease, JobLeases, type JobRun, mayTake } from "@settle/domain"
import { Effect, Layer, Schema } from "effect"
import { fromDocument } from "./documents.js"
import { MongoDatabase } from "./MongoDatabase.js"
import { mongoCall, mongoRead } from "./mongoCall.js"

const COLLECTION = "jobleases"

/**
 * A lease is a chain of documents, one per change, `_id` `<job>@<generation>`: taking, renewing or
 * releasing a lease reads the latest generation and inserts the next one. Two writers that read the same
 * generation insert the same `_id`, and the unique `_id` lets exactly one of them in — on MongoDB and
 * on FerretDB alike, whose conditional updates are not atomic (docs/storage.md). The loser's answer
 * is "not yours", which is the truth: someone else changed the lease since it looked.
 */
const Stored = Schema.Struct({ ...JobLease.fields, generation: Schema.Int.pipe(Schema.positive()) })
type Stored = typeof Stored.Type
type LeaseDocument = Stored & { readonly _id: string }
const decode = fromDocument(Stored, COLLECTION, null)

export const make: Effect.Effect<JobLeases, never, MongoDatabase> = Effect.gen(function* () {
  const { db } = yield* MongoDatabase
  const leases = db.collection<LeaseDocument>(COLLECTION)

  const latest = (job: string) =>
    mongoRead(COLLECTION, "latest", () =>
      leases.find({ job }).sort({ generation: -1 }).limit(1).toArray(),
    ).pipe(Effect.flatMap(([doc]) => (doc === undefined ? Effect.succeed(null) : decode(doc))))

  // Superseded generations are only clutter (reads take the latest), so a failed prune is left to the
  // next write's prune rather than failing a lease that was taken.
  const prune = (job: string, below: number) =>
    mongoRead(COLLECTION, "prune", () => leases.deleteMany({ job, generation: { $lt: below } })).pipe(
      Effect.ignore,
    )

  /**
   * Insert the generation after `previous`; false when another writer inserted it first. Pruning makes
   * one more case: a writer that read generation n long ago may find n+1 already pruned and insert it
   * again below a newer chain. So the insert only counts if it is still the latest once written.
   */
  const append = (what: string, previous: Stored | null, next: JobLease) => {
    const generation = (previous?.generation ?? 0) + 1
    return mongoCall(COLLECTION, what, () =>
      leases.insertOne({ _id: `${next.job}@${generation}`, ...next, generation }),
    ).pipe(
      Effect.zipRight(latest(next.job)),
      Effect.flatMap((written) =>
        written?.generation === generation
          ? Effect.as(prune(next.job, generation), true)
          : Effect.succeed(false),
      ),
      Effect.catchTag("DuplicateKey", () => Effect.succeed(false)),
    )
  }

  const service: JobLeases = {
    acquire: (job, holder, now, ttlMs) =>
      Effect.flatMap(latest(job), (current) => {
        if (!mayTake(current, holder, now)) return Effect.succeed(false)
        const renewal = current !== null && current.holder === holder && current.acquiredAt !== null
        return append("acquire", current, {
          job,
          holder,
          acquiredAt: renewal ? current.acquiredAt : now,
          expiresAt: new Date(now.getTime() + ttlMs),
          lastRun: current?.lastRun ?? null,
        })
      }),

    release: (job, holder, run: JobRun | null) =>
      Effect.flatMap(latest(job), (current) =>
        current === null || current.holder !== holder
          ? Effect.void
          : append("release", current, {
              job,
              holder: null,
              acquiredAt: null,
              expiresAt: null,
              lastRun: run ?? current.lastRun,
            }).pipe(Effect.asVoid),
      ),

    list: () =>
      mongoRead(COLLECTION, "list", () => leases.find().sort({ job: 1, generation: -1 }).toArray()).pipe(
        Effect.flatMap((docs) => Effect.forEach(docs, decode)),
        Effect.map((stored) =>
          stored
            .filter((lease, i) => i === 0 || stored[i - 1]?.job !== lease.job)
            .map(({ generation: _, ...lease }): JobLease => lease),
        ),
      ),
  }
  return service
})

export const layer: Layer.Layer<JobLeases, never, MongoDatabase> = Layer.effect(JobLeases, make)
