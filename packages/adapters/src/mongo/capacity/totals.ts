import { Hold, type StoreError } from "@settle/domain"
import { Effect, Option, Schema } from "effect"
import type { Document } from "mongodb"
import { fromDocument } from "../documents.js"
import { mongoRead } from "../mongoCall.js"
import { placeName } from "./bucketOf.js"
import { type CapacityStore, numberAt, transfersOf } from "./CapacityLayout.js"

/** An owner's capacity summed over its document and its buckets: what the domain's counters are. */
export interface CapacityTotals {
  /** Units free to hold, wherever they sit, counting those in a pending transfer (they are not gone). */
  readonly available: number
  readonly reserved: number
  readonly committed: number
  /** Every open hold, oldest first (then by key), so two reads of the same state list them alike. */
  readonly holds: ReadonlyArray<Hold>
  /** Units in transfers still pending: in flight now, or left by a crash for the repair. */
  readonly inFlight: number
  /**
   * The owner's version and its buckets' summed: one more per hold, settlement, addition or restock
   * (transfers between the owner's documents leave it alone), as the single document's was.
   */
  readonly version: number
}

const Holds = Schema.Struct({ holds: Schema.optionalWith(Schema.Array(Hold), { default: () => [] }) })

/**
 * Units `source` has sent that no bucket has yet: a pending entry whose destination already applied
 * its number (credited, not yet cleared) is counted there, not twice.
 */
const unappliedUnits = (source: Document, name: string, buckets: ReadonlyMap<string, Document>) =>
  transfersOf(source)
    .filter((t) => numberAt(buckets.get(t.to) ?? {}, `applied.${name}`) < numberAt(source, `sent.${t.to}`))
    .reduce((sum, t) => sum + t.n, 0)

/**
 * Reads the owner and all its buckets (O(bucket count), never per checkout: full reads, the repair
 * job, a recount). Documents are read one after another, so under concurrent moves the sums are of
 * a moment per document, as any read of several documents is.
 */
export const totals = (
  store: CapacityStore,
  owner: string,
): Effect.Effect<Option.Option<CapacityTotals>, StoreError> =>
  Effect.gen(function* () {
    const { layout } = store
    const root = yield* mongoRead(layout.owners, "findOne", () =>
      store.owners.findOne(
        { _id: owner },
        {
          projection: {
            [layout.pool]: 1,
            [layout.reserved]: 1,
            [layout.committed]: 1,
            holds: 1,
            transfers: 1,
            sent: 1,
            version: 1,
          },
        },
      ),
    )
    if (root === null) return Option.none()
    const buckets = yield* mongoRead(layout.buckets, "find", () =>
      store.buckets.find({ owner }).sort({ b: 1 }).toArray(),
    )
    const decodeOwner = fromDocument(Holds, layout.owners, null)
    const decodeBucket = fromDocument(Holds, layout.buckets, null)
    const holds = [
      ...(yield* decodeOwner(root)).holds,
      ...(yield* Effect.forEach(buckets, decodeBucket)).flatMap((b) => b.holds),
    ].sort((x, y) => x.at.getTime() - y.at.getTime() || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
    const byName = new Map(buckets.map((b) => [placeName(numberAt(b, "b")), b]))
    const inFlight =
      unappliedUnits(root, placeName("root"), byName) +
      buckets.reduce((sum, b) => sum + unappliedUnits(b, placeName(numberAt(b, "b")), byName), 0)
    const sum = (field: string) => buckets.reduce((total, b) => total + numberAt(b, field), 0)
    return Option.some({
      available: numberAt(root, layout.pool) + sum("available") + inFlight,
      reserved: numberAt(root, layout.reserved) + sum("reserved"),
      committed: numberAt(root, layout.committed) + sum("committed"),
      holds,
      inFlight,
      version: numberAt(root, "version") + sum("version"),
    })
  })
