import { type MediaAsset, MediaAssetRepository } from "@settle/domain"
import { Effect, Layer } from "effect"
import { makeCollection, newestFirst } from "./Collection.js"

export const make: Effect.Effect<MediaAssetRepository> = Effect.sync(() => {
  const assets = makeCollection<MediaAsset>({ order: newestFirst((a) => a.createdAt) })
  // Keyed by arrival, not by asset id: the port gives insert no duplicate outcome to report.
  let inserted = 0

  const service: MediaAssetRepository = {
    insert: (asset) =>
      Effect.sync(() => {
        inserted += 1
        assets.put(String(inserted), asset)
      }),

    recent: (limit) => Effect.sync(() => assets.walk(undefined, limit)),
  }
  return service
})

export const layer: Layer.Layer<MediaAssetRepository> = Layer.effect(MediaAssetRepository, make)
