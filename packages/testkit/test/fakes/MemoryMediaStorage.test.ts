import { MediaStorage } from "@settle/domain"
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import * as MemoryMediaStorage from "../../src/fakes/MemoryMediaStorage.js"
import { MediaControl } from "../../src/fakes/MemoryMediaStorage.js"
import { suite } from "../../src/suites/MediaStorageSuite.js"

suite("MemoryMediaStorage", MemoryMediaStorage.layer)

describe("MediaControl", () => {
  const upload = Effect.flatMap(MediaStorage, (storage) =>
    storage.upload({
      filename: "photo.jpeg",
      contentType: "image/jpeg",
      content: Stream.make(new Uint8Array(3), new Uint8Array(4)),
    }),
  )
  const run = <A, E>(program: Effect.Effect<A, E, MediaStorage | MediaControl>) =>
    Effect.runPromise(Effect.provide(program, MemoryMediaStorage.layer))

  it("records uploads with their byte counts", () =>
    run(
      Effect.gen(function* () {
        const stored = yield* upload
        expect(stored).toMatchObject({ bytes: 7, format: "jpg", provider: "memory" })
        expect(yield* (yield* MediaControl).uploads).toEqual([{ ...stored, filename: "photo.jpeg" }])
      }),
    ))

  it("fails as unreachable or with the provider's answer, then recovers", () =>
    run(
      Effect.gen(function* () {
        const control = yield* MediaControl
        yield* control.setFailing(true)
        expect(yield* Effect.flip(upload)).toMatchObject({
          _tag: "MediaStorageError",
          providerAnswered: false,
        })
        yield* control.setFailing({ message: "Invalid image file", providerAnswered: true })
        expect(yield* Effect.flip(upload)).toMatchObject({
          providerAnswered: true,
          message: "Invalid image file",
        })
        yield* control.setFailing(false)
        expect((yield* upload).bytes).toBe(7)
        expect(yield* control.uploads).toHaveLength(1)
      }),
    ))
})
