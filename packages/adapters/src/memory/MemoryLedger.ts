import { Ledger, type LedgerEntry } from "@settle/domain"
import { Effect, Layer } from "effect"
import { compoundKey, makeCollection, oldestFirst } from "./Collection.js"

export const make: Effect.Effect<Ledger> = Effect.sync(() => {
  const entries = makeCollection<LedgerEntry, "external" | "orderId">({
    indexes: {
      external: (e) => compoundKey(e.kind, e.externalId),
      orderId: (e) => e.orderId,
    },
  })

  const service: Ledger = {
    // A store reports any unique-key hit on insert the same way, so a clash on the entry id is "exists" too.
    append: (entry) =>
      Effect.sync(() => {
        const clash =
          entries.peek(entry.id) !== undefined ||
          entries.some("external", compoundKey(entry.kind, entry.externalId))
        if (clash) return "exists" as const
        entries.put(entry.id, entry)
        return "appended" as const
      }),

    listByOrder: (orderId) =>
      Effect.sync(() =>
        entries.select(
          "orderId",
          [orderId],
          undefined,
          oldestFirst((e) => e.createdAt),
        ),
      ),
  }
  return service
})

export const layer: Layer.Layer<Ledger> = Layer.effect(Ledger, make)
