import { AuditLog, AuditRecord } from "@settle/domain"
import { Effect, Layer } from "effect"
import type { Document } from "mongodb"
import { fromDocument, toDocument } from "./documents.js"
import { MongoDatabase } from "./MongoDatabase.js"
import { mongoCall, mongoRead } from "./mongoCall.js"

const COLLECTION = "auditrecords"
const decode = fromDocument(AuditRecord, COLLECTION)

export const make: Effect.Effect<AuditLog, never, MongoDatabase> = Effect.gen(function* () {
  const { db } = yield* MongoDatabase
  const records = db.collection<Document>(COLLECTION)

  const service: AuditLog = {
    // Records are only ever inserted. Their ids come from the IdGenerator, so a duplicate `_id` is this
    // very record sent again (a resend after a lost acknowledgement): it is already in the log.
    append: (record) =>
      mongoCall(COLLECTION, "append", () => records.insertOne(toDocument(record))).pipe(
        Effect.asVoid,
        Effect.catchTag("DuplicateKey", () => Effect.void),
      ),

    listByOrder: (orderId) =>
      mongoRead(COLLECTION, "listByOrder", () => records.find({ orderId }).sort({ at: 1 }).toArray()).pipe(
        Effect.flatMap((docs) => Effect.forEach(docs, decode)),
      ),

    recent: (limit) =>
      limit < 1
        ? Effect.succeed([])
        : mongoRead(COLLECTION, "recent", () =>
            records.find().sort({ at: -1 }).limit(Math.floor(limit)).toArray(),
          ).pipe(Effect.flatMap((docs) => Effect.forEach(docs, decode))),
  }
  return service
})

export const layer: Layer.Layer<AuditLog, never, MongoDatabase> = Layer.effect(AuditLog, make)
