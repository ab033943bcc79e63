import { type MediaAsset, MediaAssetRepository } from "@settle/domain"
import { Effect, type Layer } from "effect"
import { describe, expect, it } from "vitest"
import { aMediaAsset, minute } from "../fixtures.js"

const ids = (assets: ReadonlyArray<MediaAsset>): ReadonlyArray<string> => assets.map((a) => a.id)

/** The MediaAssetRepository contract; every adapter (memory, Mongo) must pass it unchanged. */
export const suite = <E>(name: string, layer: Layer.Layer<MediaAssetRepository, E>): void => {
  const run = <A, E2>(program: Effect.Effect<A, E2, MediaAssetRepository>) =>
    Effect.runPromise(Effect.provide(program, layer))

  describe(name, () => {
    it("reads back inserted assets, newest first, up to the limit", () =>
      run(
        Effect.gen(function* () {
          const media = yield* MediaAssetRepository
          expect(yield* media.recent(10)).toEqual([])
          const older = aMediaAsset({ createdAt: minute(1) })
          const newest = aMediaAsset({ createdAt: minute(9) })
          const middle = aMediaAsset({ createdAt: minute(5) })
          yield* Effect.forEach([older, newest, middle], (a) => media.insert(a))
          expect(yield* media.recent(10)).toEqual([newest, middle, older])
          expect(ids(yield* media.recent(2))).toEqual([newest.id, middle.id])
        }),
      ))

    it("returns copies, never shared objects", () =>
      run(
        Effect.gen(function* () {
          const media = yield* MediaAssetRepository
          const asset = aMediaAsset()
          const original = structuredClone(asset)
          yield* media.insert(asset)
          Object.assign(asset, { url: "https://evil.example" })
          const [read] = yield* media.recent(1)
          if (read !== undefined) {
            Object.assign(read, { bytes: 1 })
            read.createdAt.setTime(0)
          }
          expect(yield* media.recent(1)).toEqual([original])
        }),
      ))
  })
}
