import { Context, type Effect, type Stream } from "effect"
import type { MediaStorageError } from "../errors.js"

export interface MediaUpload {
  readonly filename: string
  readonly contentType: string
  readonly content: Stream.Stream<Uint8Array, MediaStorageError>
}

export interface StoredMedia {
  readonly provider: string
  readonly providerId: string
  readonly url: string
  readonly bytes: number
  readonly format: string
}

/** Where uploaded images live (Cloudinary, or local disk for the embedded default). */
export interface MediaStorage {
  /** Store the streamed content; 502-style errors carry the provider's own message. */
  readonly upload: (upload: MediaUpload) => Effect.Effect<StoredMedia, MediaStorageError>
}

export const MediaStorage = Context.GenericTag<MediaStorage>("@settle/domain/MediaStorage")
