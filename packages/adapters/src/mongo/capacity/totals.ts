import { Hold, type StoreError } from "@settle/domain"
import { Effect, Option, Schema } from "effect"
import { fromDocument } from "../documents.js"
import { mongoRead } from "../mongoCall.js"
import type { CapacityStore } from "./CapacityLayout.js"
import { type CapacityCounters, ownerCounters, sumCounters } from "./counters.js"

/** An owner's counters and its open holds: what a full read (findById, the repair job) needs. */
export interface CapacityTotals extends CapacityCounters {
  /**
   * Every open hold: those the owner document kept from before the buckets in their stored order,
   * then the buckets' oldest first (then by key), so two reads of the same state list them alike.
   */
  readonly holds: ReadonlyArray<Hold>
}

const Holds = Schema.Struct({ holds: Schema.optionalWith(Schema.Array(Hold), { default: () => [] }) })

const byAtThenKey = (x: Hold, y: Hold) =>
  x.at.getTime() - y.at.getTime() || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)

/**
 * Reads the owner and all its buckets with their holds (O(bucket count): full reads, the repair job,
 * a recount; never the checkout's). Documents are read one after another, so under concurrent moves
 * the sums are of a moment per document, as any read of several documents is.
 */
export const totals = (
  store: CapacityStore,
  owner: string,
): Effect.Effect<Option.Option<CapacityTotals>, StoreError> =>
  Effect.gen(function* () {
    const { layout } = store
    const root = yield* mongoRead(layout.owners, "findOne", () =>
      store.owners.findOne({ _id: owner }, { projection: { ...ownerCounters(layout), holds: 1 } }),
    )
    if (root === null) return Option.none()
    const buckets = yield* mongoRead(layout.buckets, "find", () =>
      store.buckets.find({ owner }).sort({ b: 1 }).toArray(),
    )
    const decodeOwner = fromDocument(Holds, layout.owners, null)
    const decodeBucket = fromDocument(Holds, layout.buckets, null)
    const bucketHolds = (yield* Effect.forEach(buckets, decodeBucket)).flatMap((b) => b.holds)
    const summed = yield* sumCounters(store, owner, root, buckets)
    return Option.some({
      ...summed,
      holds: [...(yield* decodeOwner(root)).holds, ...bucketHolds.sort(byAtThenKey)],
    })
  })
