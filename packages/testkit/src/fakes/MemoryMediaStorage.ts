import { MediaStorage, MediaStorageError, type MediaUpload, type StoredMedia } from "@settle/domain"
import { Context, Effect, Layer, Ref, Stream } from "effect"

/** How the fake provider fails: unreachable (503) or answering with its own error (502). */
export interface MediaFailure {
  readonly message: string
  readonly providerAnswered: boolean
}

export interface MediaControl {
  /** true: unreachable; a MediaFailure: that failure; false: healthy. */
  readonly setFailing: (failing: boolean | MediaFailure) => Effect.Effect<void>
  /** What was stored, in order. */
  readonly uploads: Effect.Effect<ReadonlyArray<StoredMedia & { readonly filename: string }>>
}

export const MediaControl = Context.GenericTag<MediaControl>("@settle/testkit/MediaControl")

const formatOf = (upload: MediaUpload): string => {
  const fromType = upload.contentType.split("/")[1]?.split(";")[0]?.trim()
  const fromName = upload.filename.includes(".") ? upload.filename.split(".").pop() : undefined
  const format = (fromType ?? fromName ?? "bin").toLowerCase()
  return format === "jpeg" ? "jpg" : format
}

export const make: Effect.Effect<Context.Context<MediaStorage | MediaControl>> = Effect.gen(function* () {
  const failing = yield* Ref.make<MediaFailure | null>(null)
  const uploads = yield* Ref.make<ReadonlyArray<StoredMedia & { readonly filename: string }>>([])

  const upload = (file: MediaUpload): Effect.Effect<StoredMedia, MediaStorageError> =>
    Effect.gen(function* () {
      const failure = yield* Ref.get(failing)
      if (failure !== null) return yield* new MediaStorageError(failure)
      // Consuming the whole stream is what a real provider does; a stream error surfaces as the upload's.
      const bytes = yield* Stream.runFold(file.content, 0, (total, chunk) => total + chunk.length)
      return yield* Ref.modify(uploads, (list) => {
        const providerId = `media_${String(list.length + 1).padStart(6, "0")}`
        const stored = {
          provider: "memory",
          providerId,
          url: `https://media.sandbox.invalid/${providerId}/${encodeURIComponent(file.filename)}`,
          bytes,
          format: formatOf(file),
        }
        return [stored, [...list, { ...stored, filename: file.filename }]]
      })
    })

  const control = MediaControl.of({
    setFailing: (next) =>
      Ref.set(
        failing,
        next === false
          ? null
          : next === true
            ? { message: "media provider unreachable (simulated)", providerAnswered: false }
            : next,
      ),
    uploads: Ref.get(uploads),
  })
  return Context.make(MediaStorage, MediaStorage.of({ upload })).pipe(Context.add(MediaControl, control))
})

export const layer: Layer.Layer<MediaStorage | MediaControl> = Layer.effectContext(make)
