import {
  type ClaimOutcome,
  claimedRecord,
  holdsKey,
  type IdempotencyClaim,
  IdempotencyKeys,
  IdempotencyRecord,
  StoreError,
} from "@settle/domain"
import { Effect, Layer, Schema } from "effect"
import { fromDocument } from "./documents.js"
import { MongoDatabase } from "./MongoDatabase.js"
import { mongoCall, mongoRead } from "./mongoCall.js"

const COLLECTION = "idempotencykeys"

/**
 * A key is a chain of documents, one per claim, `_id` `[scope, key, generation]`: a claim reads the
 * latest generation and, when it no longer holds the key, inserts the next one. Of concurrent claims
 * the unique `_id` lets exactly one in, on MongoDB and on FerretDB alike (whose conditional updates
 * are not atomic, docs/storage.md), as for job leases. Only the claim's owner updates or deletes its
 * own generation afterwards, so no two writers ever race a conditional update on one document.
 * The body is kept as JSON text: a client's field names (`$`, dots) are no business of the store.
 */
const Stored = Schema.Struct({
  ...IdempotencyRecord.fields,
  answer: Schema.NullOr(
    Schema.Struct({
      status: Schema.Int,
      body: Schema.parseJson(),
      headers: Schema.Record({ key: Schema.String, value: Schema.String }),
    }),
  ),
  generation: Schema.Int.pipe(Schema.positive()),
})
type Stored = typeof Stored.Type
type KeyDocument = typeof Stored.Encoded & { readonly _id: string }
const decode = fromDocument(Stored, COLLECTION, null)
const encode = Schema.encodeSync(Stored)

const idOf = (scope: string, key: string, generation: number) => JSON.stringify([scope, key, generation])

/** A claim that loses this many inserts in a row to other claims answers the store as busy. */
const MAX_CLAIM_ATTEMPTS = 5

const recordOf = ({ generation: _, ...record }: Stored): IdempotencyRecord => record

export const make: Effect.Effect<IdempotencyKeys, never, MongoDatabase> = Effect.gen(function* () {
  const { db } = yield* MongoDatabase
  const keys = db.collection<KeyDocument>(COLLECTION)

  const latest = (scope: string, key: string) =>
    mongoRead(COLLECTION, "latest", () =>
      keys.find({ scope, key }).sort({ generation: -1 }).limit(1).toArray(),
    ).pipe(Effect.flatMap(([doc]) => (doc === undefined ? Effect.succeed(null) : decode(doc))))

  // Superseded generations are clutter the reads skip: a failed prune is left to the next claim's.
  const prune = (scope: string, key: string, below: number) =>
    mongoRead(COLLECTION, "prune", () => keys.deleteMany({ scope, key, generation: { $lt: below } })).pipe(
      Effect.ignore,
    )

  const attempt = (claim: IdempotencyClaim, left: number): Effect.Effect<ClaimOutcome, StoreError> =>
    Effect.flatMap(latest(claim.scope, claim.key), (current) => {
      if (current !== null && holdsKey(current, claim.now, claim.leaseMs)) {
        return Effect.succeed<ClaimOutcome>({ _tag: "Held", record: recordOf(current) })
      }
      if (left === 0) {
        return Effect.fail(
          new StoreError({ message: `[db] ${COLLECTION}.claim: key ${claim.key} contended` }),
        )
      }
      const generation = (current?.generation ?? 0) + 1
      const { scope, key, owner } = claim
      const doc = encode({ ...claimedRecord(claim), generation })
      // A claim that read generation n long ago may find n+1 already pruned and insert it again below
      // a newer chain, so the insert only counts if it is still the latest once written.
      return mongoCall(COLLECTION, "claim", () =>
        keys.insertOne({ _id: idOf(scope, key, generation), ...doc }),
      ).pipe(
        Effect.zipRight(latest(scope, key)),
        Effect.flatMap((written) =>
          written?.generation === generation && written.owner === owner
            ? Effect.as(prune(scope, key, generation), { _tag: "Claimed" } as const)
            : attempt(claim, left - 1),
        ),
        Effect.catchTag("DuplicateKey", () => attempt(claim, left - 1)),
      )
    })

  const service: IdempotencyKeys = {
    claim: (claim) => attempt(claim, MAX_CLAIM_ATTEMPTS),

    complete: (scope, key, owner, answer) =>
      mongoRead(COLLECTION, "complete", () =>
        keys.updateOne(
          { scope, key, owner, state: "in_flight" },
          { $set: { state: "completed", answer: { ...answer, body: JSON.stringify(answer.body) } } },
        ),
      ).pipe(
        Effect.zipRight(latest(scope, key)),
        Effect.map((current) => current?.owner === owner && current.state === "completed"),
      ),

    release: (scope, key, owner) =>
      mongoRead(COLLECTION, "release", () => keys.deleteOne({ scope, key, owner, state: "in_flight" })).pipe(
        Effect.asVoid,
      ),

    find: (scope, key) =>
      Effect.map(latest(scope, key), (current) => (current === null ? null : recordOf(current))),
  }
  return service
})

export const layer: Layer.Layer<IdempotencyKeys, never, MongoDatabase> = Layer.effect(IdempotencyKeys, make)
