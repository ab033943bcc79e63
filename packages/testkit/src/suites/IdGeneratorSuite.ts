import { IdGenerator, OrderId } from "@settle/domain"
import { Effect, type Layer, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { runInLayer } from "./runInLayer.js"

/** The IdGenerator contract: prefixed ids usable as domain ids, never repeated, even concurrently. */
export const suite = <E>(name: string, layer: Layer.Layer<IdGenerator, E>): void => {
  const run = runInLayer(layer)
  const isId = Schema.is(OrderId)

  describe(name, () => {
    it("prefixes ids (`ord_…`) and keeps them valid as domain ids", () =>
      run(
        Effect.gen(function* () {
          const ids = yield* IdGenerator
          for (const prefix of ["ord", "led", "evt"]) {
            const id = yield* ids.next(prefix)
            expect(id.startsWith(`${prefix}_`)).toBe(true)
            expect(isId(id)).toBe(true)
          }
        }),
      ))

    it("never repeats an id, across prefixes and concurrent callers", () =>
      run(
        Effect.gen(function* () {
          const ids = yield* IdGenerator
          const drawn = yield* Effect.all(
            Array.from({ length: 300 }, (_, i) => ids.next(["ord", "led", "aud"][i % 3] ?? "ord")),
            { concurrency: "unbounded" },
          )
          expect(new Set(drawn).size).toBe(drawn.length)
        }),
      ))

    it("draws secrets that are non-empty and never repeat", () =>
      run(
        Effect.gen(function* () {
          const ids = yield* IdGenerator
          const secrets = yield* Effect.all(
            Array.from({ length: 100 }, () => ids.secret),
            { concurrency: "unbounded" },
          )
          expect(secrets.every((s) => s.length > 0)).toBe(true)
          expect(new Set(secrets).size).toBe(secrets.length)
        }),
      ))
  })
}
