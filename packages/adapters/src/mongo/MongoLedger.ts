import { Ledger, LedgerEntry } from "@settle/domain"
import { Effect, Layer } from "effect"
import type { Document } from "mongodb"
import { fromDocument, toDocument } from "./documents.js"
import { MongoDatabase } from "./MongoDatabase.js"
import { mongoCall, mongoRead } from "./mongoCall.js"

const COLLECTION = "ledgerentries"
const decode = fromDocument(LedgerEntry, COLLECTION)

export const make: Effect.Effect<Ledger, never, MongoDatabase> = Effect.gen(function* () {
  const { db } = yield* MongoDatabase
  const entries = db.collection<Document>(COLLECTION)

  const service: Ledger = {
    // Append-only: the unique (kind, externalId) index turns a second payment or refund of the same
    // external id into a duplicate key, which is the idempotent "exists". A clash on the entry's own
    // id (`_id`) can only be the same append arriving again, so it is "exists" too.
    append: (entry) =>
      mongoCall(COLLECTION, "append", () => entries.insertOne(toDocument(entry))).pipe(
        Effect.as("appended" as const),
        Effect.catchTag("DuplicateKey", () => Effect.succeed("exists" as const)),
      ),

    listByOrder: (orderId) =>
      mongoRead(COLLECTION, "listByOrder", () =>
        entries.find({ orderId }).sort({ createdAt: 1 }).toArray(),
      ).pipe(Effect.flatMap((docs) => Effect.forEach(docs, decode))),
  }
  return service
})

export const layer: Layer.Layer<Ledger, never, MongoDatabase> = Layer.effect(Ledger, make)
