import { Clock } from "@settle/domain"
import { Effect, type Layer } from "effect"
import { describe, expect, it } from "vitest"
import { runInLayer } from "./runInLayer.js"

/** The Clock contract: valid instants that never run backwards between reads. */
export const suite = <E>(name: string, layer: Layer.Layer<Clock, E>): void => {
  const run = runInLayer(layer)

  describe(name, () => {
    it("returns a valid instant", () =>
      run(
        Effect.gen(function* () {
          const now = yield* (yield* Clock).now
          expect(now).toBeInstanceOf(Date)
          expect(Number.isNaN(now.getTime())).toBe(false)
        }),
      ))

    it("never runs backwards between successive reads", () =>
      run(
        Effect.gen(function* () {
          const clock = yield* Clock
          const reads = yield* Effect.replicateEffect(clock.now, 200)
          const times = reads.map((d) => d.getTime())
          expect(times).toEqual([...times].sort((a, b) => a - b))
        }),
      ))

    it("is not moved by a caller mutating the Date it returned", () =>
      run(
        Effect.gen(function* () {
          const clock = yield* Clock
          const first = yield* clock.now
          const before = first.getTime()
          first.setFullYear(1970)
          expect((yield* clock.now).getTime()).toBeGreaterThanOrEqual(before)
        }),
      ))
  })
}
