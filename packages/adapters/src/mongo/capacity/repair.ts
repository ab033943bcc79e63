import type { StoreError } from "@settle/domain"
import { Effect } from "effect"
import { mongoRead } from "../mongoCall.js"
import { type Place, placeName } from "./bucketOf.js"
import { type CapacityStore, numberAt, transfersOf } from "./CapacityLayout.js"
import { completePending } from "./transfer.js"

/** A transfer the repair completed: a crash had left it sent and not (or not known to be) credited. */
export interface CompletedTransfer {
  readonly from: string
  readonly to: string
  readonly n: number
}

/**
 * Completes every transfer pending at the owner's document and its buckets, so no unit stays in
 * flight: the repair job's step for capacity (the hold path completes those it meets on its own).
 * Safe at any time and any number of times, concurrently with holds: each step is a no-op once done.
 */
export const repair = (
  store: CapacityStore,
  owner: string,
): Effect.Effect<ReadonlyArray<CompletedTransfer>, StoreError> =>
  Effect.gen(function* () {
    const root = yield* mongoRead(store.owners.collectionName, "findOne", () =>
      store.owners.findOne({ _id: owner }, { projection: { transfers: 1 } }),
    )
    const buckets = yield* mongoRead(store.buckets.collectionName, "find", () =>
      store.buckets.find({ owner }, { projection: { b: 1, transfers: 1 } }).toArray(),
    )
    const sources: Array<Place> = [
      ...(root !== null && transfersOf(root).length > 0 ? ["root" as const] : []),
      ...buckets.filter((b) => transfersOf(b).length > 0).map((b) => numberAt(b, "b")),
    ]
    const completed = yield* Effect.forEach(sources, (from) =>
      Effect.map(completePending(store, owner, from), (done) =>
        done.map((t) => ({ from: placeName(from), to: t.to, n: t.n })),
      ),
    )
    return completed.flat()
  })
