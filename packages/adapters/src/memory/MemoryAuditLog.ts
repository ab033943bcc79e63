import { AuditLog, type AuditRecord } from "@settle/domain"
import { Effect, Layer } from "effect"
import { makeCollection, newestFirst, oldestFirst } from "./Collection.js"

export const make: Effect.Effect<AuditLog> = Effect.sync(() => {
  const records = makeCollection<AuditRecord, "orderId">({
    indexes: { orderId: (r) => r.orderId },
    order: newestFirst((r) => r.at),
  })
  // Keyed by arrival, not by record id: the log only ever grows.
  let appended = 0

  const service: AuditLog = {
    append: (record) =>
      Effect.sync(() => {
        appended += 1
        records.put(String(appended), record)
      }),

    listByOrder: (orderId) =>
      Effect.sync(() =>
        records.select(
          "orderId",
          [orderId],
          undefined,
          oldestFirst((r) => r.at),
        ),
      ),

    recent: (limit) => Effect.sync(() => records.walk(undefined, limit)),
  }
  return service
})

export const layer: Layer.Layer<AuditLog> = Layer.effect(AuditLog, make)
