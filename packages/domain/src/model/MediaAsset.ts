import { Schema } from "effect"

export const MediaAsset = Schema.Struct({
  id: Schema.String,
  provider: Schema.String,
  providerId: Schema.String,
  url: Schema.String,
  bytes: Schema.Int.pipe(Schema.nonNegative()),
  format: Schema.String,
  uploadedBy: Schema.String,
  createdAt: Schema.DateFromSelf,
})
export type MediaAsset = typeof MediaAsset.Type
