import { IdGenerator } from "@settle/domain"
import { Effect, Layer, Ref } from "effect"

const pad = (n: number): string => String(n).padStart(6, "0")

/**
 * Ids `<prefix>_000001`, counted per prefix so a test's expected ids do not shift when another
 * kind of id is drawn in between. Secrets are `tok_…` from the same counter as `next("tok")`, so the
 * two can never collide.
 */
export const make: Effect.Effect<IdGenerator> = Effect.map(
  Ref.make<ReadonlyMap<string, number>>(new Map()),
  (counters) => {
    const next = (prefix: string) =>
      Ref.modify(counters, (seen): [string, ReadonlyMap<string, number>] => {
        const n = (seen.get(prefix) ?? 0) + 1
        return [`${prefix}_${pad(n)}`, new Map(seen).set(prefix, n)]
      })
    return IdGenerator.of({ next, secret: next("tok") })
  },
)

export const layer: Layer.Layer<IdGenerator> = Layer.effect(IdGenerator, make)
