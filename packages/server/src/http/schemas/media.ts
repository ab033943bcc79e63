import { Schema } from "effect"
import { Count, IsoDateTime } from "./common.js"

export const MediaAssetJson = Schema.Struct({
  id: Schema.String,
  provider: Schema.String,
  providerId: Schema.String,
  url: Schema.String,
  bytes: Count,
  format: Schema.String,
  uploadedBy: Schema.String,
  createdAt: IsoDateTime,
}).annotations({ identifier: "MediaAsset" })
export type MediaAssetJson = typeof MediaAssetJson.Type

/** `POST /api/v1/admin/media/upload`. */
export const MediaUploadAnswer = Schema.Struct({ asset: MediaAssetJson })
