import type { StoreError } from "@settle/domain"
import { Effect } from "effect"
import type { Collection } from "mongodb"
import { mongoRead } from "../mongoCall.js"
import { bucketId } from "./bucketOf.js"
import { type CapacityStore, numberAt, type Stored } from "./CapacityLayout.js"

/** Adds units to the owner's pool (receiving stock); false when there is no such owner. */
export const addUnits = (
  store: CapacityStore,
  owner: string,
  n: number,
  at: Date,
): Effect.Effect<boolean, StoreError> =>
  mongoRead(store.owners.collectionName, "updateOne", () =>
    store.owners.updateOne(
      { _id: owner },
      { $inc: { [store.layout.pool]: n, version: 1 }, $set: { updatedAt: at } },
    ),
  ).pipe(Effect.map((result) => result.matchedCount === 1))

interface CommittedPlace {
  readonly collection: Collection<Stored>
  readonly id: string
  readonly committed: string
  readonly available: string
  readonly units: number
}

/**
 * Moves `n` committed units back to available (a refund's restock) if that many are committed.
 * Committed units are spread over the owner's document and its buckets, so this is one conditional
 * write per place it draws from, each unable to take more than that place has. Two restocks racing for
 * the last committed units can leave the second partly applied and answer false: units are only ever
 * moved from committed to available, never made or lost, and a refund restocks its own sold units.
 */
export const restockUnits = (
  store: CapacityStore,
  owner: string,
  n: number,
  at: Date,
): Effect.Effect<boolean, StoreError> =>
  Effect.gen(function* () {
    const { layout } = store
    const root = yield* mongoRead(layout.owners, "findOne", () =>
      store.owners.findOne({ _id: owner }, { projection: { [layout.committed]: 1 } }),
    )
    if (root === null) return false
    const buckets = yield* mongoRead(layout.buckets, "find", () =>
      store.buckets.find({ owner, committed: { $gt: 0 } }, { projection: { b: 1, committed: 1 } }).toArray(),
    )
    const places: ReadonlyArray<CommittedPlace> = [
      {
        collection: store.owners,
        id: owner,
        committed: layout.committed,
        available: layout.pool,
        units: numberAt(root, layout.committed),
      },
      ...buckets.map((b) => ({
        collection: store.buckets,
        id: bucketId(owner, numberAt(b, "b")),
        committed: "committed",
        available: "available",
        units: numberAt(b, "committed"),
      })),
    ].filter((p) => p.units > 0)
    if (places.reduce((sum, p) => sum + p.units, 0) < n) return false
    let need = n
    for (const place of places) {
      const m = Math.min(place.units, need)
      const result = yield* mongoRead(place.collection.collectionName, "updateOne", () =>
        place.collection.updateOne(
          { _id: place.id, [place.committed]: { $gte: m } },
          { $inc: { [place.committed]: -m, [place.available]: m, version: 1 }, $set: { updatedAt: at } },
        ),
      )
      if (result.modifiedCount === 1) need -= m
      if (need === 0) return true
    }
    return false
  })
