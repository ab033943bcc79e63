import { MediaAsset, MediaAssetRepository } from "@settle/domain"
import { Effect, Layer } from "effect"
import type { Document } from "mongodb"
import { fromDocument, toDocument } from "./documents.js"
import { MongoDatabase } from "./MongoDatabase.js"
import { mongoCall, mongoRead } from "./mongoCall.js"

const COLLECTION = "mediaassets"
const decode = fromDocument(MediaAsset, COLLECTION)

export const make: Effect.Effect<MediaAssetRepository, never, MongoDatabase> = Effect.gen(function* () {
  const { db } = yield* MongoDatabase
  const assets = db.collection<Document>(COLLECTION)

  const service: MediaAssetRepository = {
    // Asset ids are generated per upload, so a duplicate `_id` is the same record sent again after a
    // lost acknowledgement: it is already recorded.
    insert: (asset) =>
      mongoCall(COLLECTION, "insert", () => assets.insertOne(toDocument(asset))).pipe(
        Effect.asVoid,
        Effect.catchTag("DuplicateKey", () => Effect.void),
      ),

    recent: (limit) =>
      limit < 1
        ? Effect.succeed([])
        : mongoRead(COLLECTION, "recent", () =>
            assets.find().sort({ createdAt: -1 }).limit(Math.floor(limit)).toArray(),
          ).pipe(Effect.flatMap((docs) => Effect.forEach(docs, decode))),
  }
  return service
})

export const layer: Layer.Layer<MediaAssetRepository, never, MongoDatabase> = Layer.effect(
  MediaAssetRepository,
  make,
)
