import { type HoldOutcome, type OrderId, StoreError } from "@settle/domain"
import { Effect } from "effect"
import type { Document } from "mongodb"
import { mongoRead } from "../mongoCall.js"
import { bucketId, bucketOf } from "./bucketOf.js"
import type { CapacityStore } from "./CapacityLayout.js"
import { refill } from "./refill.js"

/**
 * Each round either holds, or moves units toward the key's bucket, or proves there are none: a round
 * that moved and still missed lost its units to another hold, which is progress for the owner. The
 * bound only turns a pathological livelock into an outage the caller retries, never into a refusal.
 */
const MAX_ROUNDS = 100

/**
 * Holds `quantity` units for `key` in the key's bucket: one conditional write (enough units, key not
 * yet holding there, so a retried hold never holds twice) while the bucket has units; when it has
 * not, a refill moves some there and the write is tried again.
 */
export const hold = (
  store: CapacityStore,
  owner: string,
  key: string,
  orderId: OrderId,
  quantity: number,
  at: Date,
): Effect.Effect<HoldOutcome, StoreError> =>
  Effect.gen(function* () {
    const b = bucketOf(key, store.layout.bucketCount)
    const id = bucketId(owner, b)
    const name = store.buckets.collectionName
    for (let round = 0; round < MAX_ROUNDS; round++) {
      // $nor of the equality, not `$ne` on the array field: FerretDB v1 gets the latter wrong (holds.ts).
      const result = yield* mongoRead(name, "updateOne", () =>
        store.buckets.updateOne(
          { _id: id, available: { $gte: quantity }, $nor: [{ "holds.key": key }] },
          {
            $inc: { available: -quantity, reserved: quantity, version: 1 },
            $push: { holds: { key, orderId, quantity, at } } as Document,
            $set: { updatedAt: at },
          },
        ),
      )
      if (result.modifiedCount === 1) return "held"
      const holding = yield* mongoRead(name, "findOne", () =>
        store.buckets.findOne({ _id: id, "holds.key": key }, { projection: { _id: 1 } }),
      )
      if (holding !== null) return "already_held"
      const refilled = yield* refill(store, owner, b, quantity)
      if (refilled === "not_found") return "not_found"
      if (refilled === "none") return "insufficient"
    }
    return yield* new StoreError({
      message: `[db] ${name}: no hold decided for ${owner} after ${MAX_ROUNDS} rounds of contention`,
    })
  })
