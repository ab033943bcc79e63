import type { StoreError } from "@settle/domain"
import { Effect } from "effect"
import type { Document } from "mongodb"
import { mongoRead } from "../mongoCall.js"
import { bucketId, placeName } from "./bucketOf.js"
import { type CapacityLayout, type CapacityStore, numberAt, transfersOf } from "./CapacityLayout.js"

/** An owner's counters summed over its document and its buckets: what the domain's counters are. */
export interface CapacityCounters {
  /** Units free to hold, wherever they sit, counting those in a pending transfer (they are not gone). */
  readonly available: number
  readonly reserved: number
  readonly committed: number
  /** Units in transfers still pending: in flight now, or left by a crash for the repair. */
  readonly inFlight: number
  /**
   * The owner's version and its buckets' summed: one more per hold, settlement, addition or restock
   * (transfers between the owner's documents leave it alone), as the single document's was.
   */
  readonly version: number
  /** The latest `updatedAt` of the owner and its buckets. */
  readonly updatedAt: Date | undefined
}

/** The bucket fields the counters need: never the holds, the transfer numbers or the applied map. */
export const BUCKET_COUNTERS = {
  owner: 1,
  b: 1,
  available: 1,
  reserved: 1,
  committed: 1,
  version: 1,
  updatedAt: 1,
  transfers: 1,
} as const

/** The owner fields the counters need, for a layout. */
export const ownerCounters = (layout: CapacityLayout) =>
  ({
    [layout.pool]: 1,
    [layout.reserved]: 1,
    [layout.committed]: 1,
    version: 1,
    updatedAt: 1,
    transfers: 1,
  }) as const

const latest = (docs: ReadonlyArray<Document>): Date | undefined =>
  docs.reduce<Date | undefined>((max, doc) => {
    const at: unknown = doc.updatedAt
    return at instanceof Date && (max === undefined || at > max) ? at : max
  }, undefined)

/**
 * Units of pending transfers that no bucket has applied yet. An entry credited but not yet cleared is
 * counted where it arrived, not twice: whether it arrived takes two small reads (the source's number,
 * the destination's applied one), only for the rare entry still pending.
 */
const unapplied = (
  store: CapacityStore,
  owner: string,
  source: Document,
  from: "root" | number,
): Effect.Effect<number, StoreError> =>
  Effect.reduce(transfersOf(source), 0, (sum, t) =>
    Effect.gen(function* () {
      const src = from === "root" ? store.owners : store.buckets
      const srcId = from === "root" ? owner : bucketId(owner, from)
      const sent = yield* mongoRead(src.collectionName, "findOne", () =>
        src.findOne({ _id: srcId }, { projection: { [`sent.${t.to}`]: 1 } }),
      )
      const applied = `applied.${placeName(from)}`
      const dst = yield* mongoRead(store.buckets.collectionName, "findOne", () =>
        store.buckets.findOne(
          { _id: bucketId(owner, Number(t.to.slice(1))) },
          { projection: { [applied]: 1 } },
        ),
      )
      const arrived = numberAt(dst ?? {}, applied) >= numberAt(sent ?? {}, `sent.${t.to}`)
      return arrived ? sum : sum + t.n
    }),
  )

/** Sums one owner's documents, read with (at least) `ownerCounters` and `BUCKET_COUNTERS`. */
export const sumCounters = (
  store: CapacityStore,
  owner: string,
  root: Document,
  buckets: ReadonlyArray<Document>,
): Effect.Effect<CapacityCounters, StoreError> =>
  Effect.gen(function* () {
    const { layout } = store
    let inFlight = yield* unapplied(store, owner, root, "root")
    for (const b of buckets) inFlight += yield* unapplied(store, owner, b, numberAt(b, "b"))
    const sum = (field: string) => buckets.reduce((total, b) => total + numberAt(b, field), 0)
    return {
      available: numberAt(root, layout.pool) + sum("available") + inFlight,
      reserved: numberAt(root, layout.reserved) + sum("reserved"),
      committed: numberAt(root, layout.committed) + sum("committed"),
      inFlight,
      version: numberAt(root, "version") + sum("version"),
      updatedAt: latest([root, ...buckets]),
    }
  })

/**
 * The counters of several owners in two queries and without a hold: what an update's version check
 * needs (the checkout's listing reads none). Owners not found are absent from the map. The buckets
 * read are those the owners have (created by their first transfer in), at most the bucket count each.
 */
export const counters = (
  store: CapacityStore,
  owners: ReadonlyArray<string>,
): Effect.Effect<ReadonlyMap<string, CapacityCounters>, StoreError> =>
  Effect.gen(function* () {
    if (owners.length === 0) return new Map()
    const roots = yield* mongoRead(store.owners.collectionName, "find", () =>
      store.owners.find({ _id: { $in: [...owners] } }, { projection: ownerCounters(store.layout) }).toArray(),
    )
    const buckets = yield* mongoRead(store.buckets.collectionName, "find", () =>
      store.buckets.find({ owner: { $in: [...owners] } }, { projection: BUCKET_COUNTERS }).toArray(),
    )
    const found = new Map<string, CapacityCounters>()
    for (const root of roots) {
      const mine = buckets.filter((b) => b.owner === root._id)
      found.set(root._id, yield* sumCounters(store, root._id, root, mine))
    }
    return found
  })
