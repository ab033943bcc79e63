import { Context, type Effect } from "effect"
import type { StoreError } from "../errors.js"
import type { MediaAsset } from "../model/MediaAsset.js"

/** The mediaassets collection: what was uploaded, by whom. */
export interface MediaAssetRepository {
  /** Record an uploaded asset. */
  readonly insert: (asset: MediaAsset) => Effect.Effect<void, StoreError>
  /** The newest assets. */
  readonly recent: (limit: number) => Effect.Effect<ReadonlyArray<MediaAsset>, StoreError>
}

export const MediaAssetRepository = Context.GenericTag<MediaAssetRepository>(
  "@settle/domain/MediaAssetRepository",
)
