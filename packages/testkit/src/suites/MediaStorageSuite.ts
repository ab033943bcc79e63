import { MediaStorage, MediaStorageError } from "@settle/domain"
import { Effect, type Layer, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { failureTag, runInLayer } from "./runInLayer.js"

// A real 1×1 PNG, so a provider that inspects the image (Cloudinary) accepts it too.
const PNG = Uint8Array.from(
  Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    "base64",
  ),
)

/** Splits the image into small chunks, as a multipart upload streams it. */
const chunked = (bytes: Uint8Array, size = 16): Stream.Stream<Uint8Array, MediaStorageError> =>
  Stream.fromIterable(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.slice(i * size, (i + 1) * size)),
  )

/** The MediaStorage contract: the whole stream is stored, described, and stream errors surface as upload errors. */
export const suite = <E>(name: string, layer: Layer.Layer<MediaStorage, E>): void => {
  const run = runInLayer(layer)
  const upload = (filename: string, content = chunked(PNG)) =>
    Effect.flatMap(MediaStorage, (storage) => storage.upload({ filename, contentType: "image/png", content }))

  describe(name, () => {
    it("stores a streamed image and describes it", () =>
      run(
        Effect.gen(function* () {
          const stored = yield* upload("pixel.png")
          expect(stored.bytes).toBe(PNG.length)
          expect(stored.format).toBe("png")
          expect(stored.url.length).toBeGreaterThan(0)
          expect(stored.provider.length).toBeGreaterThan(0)
          expect(stored.providerId.length).toBeGreaterThan(0)
        }),
      ))

    it("gives two uploads distinct provider ids and urls", () =>
      run(
        Effect.gen(function* () {
          const a = yield* upload("a.png")
          const b = yield* upload("b.png")
          expect(a.providerId).not.toBe(b.providerId)
          expect(a.url).not.toBe(b.url)
        }),
      ))

    it("fails with MediaStorageError when the content stream fails", () =>
      run(
        Effect.gen(function* () {
          const broken = Stream.concat(
            chunked(PNG.slice(0, 32)),
            Stream.fail(new MediaStorageError({ message: "client went away", providerAnswered: false })),
          )
          expect(yield* failureTag(upload("broken.png", broken))).toBe("MediaStorageError")
        }),
      ))
  })
}
