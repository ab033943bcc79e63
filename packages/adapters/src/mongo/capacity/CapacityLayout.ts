import type { Collection, Db, Document } from "mongodb"
import type { HolderDocument } from "../holds.js"
import type { ServerTraits } from "../serverTraits.js"
import { bucketId, type Place, placeName } from "./bucketOf.js"

/** Where one kind of owner (products' stock, coupons' redemptions) keeps its capacity. */
export interface CapacityLayout {
  /** The owners' collection (`products`, `coupons`). */
  readonly owners: string
  /** The owner document's field with the units not yet allotted to a bucket (`stock.available`, `available`). */
  readonly pool: string
  /**
   * The owner document's own reserved and committed counters, with the holds it kept before buckets
   * existed (they stay there until settled, and the totals count them).
   */
  readonly reserved: string
  readonly committed: string
  /** The buckets' collection (`stockbuckets`, `couponbuckets`). */
  readonly buckets: string
  /** Buckets per owner: fixed for an owner's life, since a key's bucket is its hash modulo this. */
  readonly bucketCount: number
  /** Units a bucket takes from the owner's pool at once when it runs short. */
  readonly chunk: number
}

/** A pending transfer, as stored in its source's `transfers` array (field order matters on FerretDB). */
export interface PendingTransfer {
  readonly to: string
  readonly n: number
}

/** A bucket as stored. Counters as on a product's stock; holds as on today's counter documents. */
export interface BucketDocument extends HolderDocument {
  readonly owner: string
  readonly b: number
  readonly available: number
  readonly reserved: number
  readonly committed: number
  readonly transfers: ReadonlyArray<PendingTransfer>
}

/** Any stored document with a string `_id`: the owners' and buckets' fields are named by the layout. */
export interface Stored extends Document {
  readonly _id: string
}

/** What every capacity operation works with: the layout and its two collections, typed loosely for paths. */
export interface CapacityStore {
  readonly layout: CapacityLayout
  readonly traits: ServerTraits
  readonly owners: Collection<Stored>
  readonly buckets: Collection<Stored>
  /** The buckets again, typed for the hold moves of holds.ts. */
  readonly holders: Collection<HolderDocument>
  /** The owners, typed the same way, for the holds they kept from before the buckets. */
  readonly ownerHolders: Collection<HolderDocument>
}

export const capacityStore = (db: Db, traits: ServerTraits, layout: CapacityLayout): CapacityStore => ({
  layout,
  traits,
  owners: db.collection<Stored>(layout.owners),
  buckets: db.collection<Stored>(layout.buckets),
  holders: db.collection<HolderDocument>(layout.buckets),
  ownerHolders: db.collection<HolderDocument>(layout.owners),
})

/** The document holding a place's units, and the field they are in. */
export const locate = (store: CapacityStore, owner: string, place: Place) =>
  place === "root"
    ? { collection: store.owners, id: owner, available: store.layout.pool, name: placeName(place) }
    : {
        collection: store.buckets,
        id: bucketId(owner, place),
        available: "available",
        name: placeName(place),
      }

/** The number at a dotted path of a read document; absent or not a number is 0. */
export const numberAt = (doc: Document, path: string): number => {
  let value: unknown = doc
  for (const field of path.split(".")) {
    value =
      typeof value === "object" && value !== null ? (value as Record<string, unknown>)[field] : undefined
  }
  return typeof value === "number" ? value : 0
}

/** A read document's pending transfers (absent on an owner that never sent any). */
export const transfersOf = (doc: Document): ReadonlyArray<PendingTransfer> =>
  Array.isArray(doc.transfers) ? (doc.transfers as ReadonlyArray<PendingTransfer>) : []
