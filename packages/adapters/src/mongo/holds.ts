import type { Hold, HoldOutcome, StoreError } from "@settle/domain"
import { Effect } from "effect"
import type { Collection, Document } from "mongodb"
import { mongoRead } from "./mongoCall.js"

/** A counter document as the hold moves need it: its decoded holds, in stored order. */
export interface Holder {
  readonly holds: ReadonlyArray<Hold>
}

/** The stored fields every counter document with holds has (products, coupons), for typed writes. */
export type HolderDocument = {
  readonly _id: string
  readonly holds: ReadonlyArray<Hold>
  readonly version: number
  readonly updatedAt: Date
}

/** Reads and decodes one document; a malformed one is a StoreError naming the collection and _id. */
export type Decode<A> = (doc: Document) => Effect.Effect<A, StoreError>

/**
 * Why a hold's conditional write on the owner's own document matched nothing, read afterwards: the
 * write decides, this only names the outcome. An owner the read shows to keep its units in places
 * (`learn` notes it, `known` says so) is handed to `inPlaces`, where its holds are taken.
 */
export const missedHold = <A extends Holder>(
  collection: Collection<HolderDocument>,
  decode: Decode<A>,
  id: string,
  key: string,
  places: { readonly learn: (doc: Document) => void; readonly known: (owner: string) => boolean },
  inPlaces: () => Effect.Effect<HoldOutcome, StoreError>,
): Effect.Effect<HoldOutcome, StoreError> =>
  Effect.gen(function* () {
    const doc = yield* mongoRead(collection.collectionName, "findOne", () => collection.findOne({ _id: id }))
    if (doc === null) return "not_found"
    places.learn(doc)
    if (places.known(id)) return yield* inPlaces()
    const holder = yield* decode(doc)
    return holder.holds.some((h) => h.key === key) ? "already_held" : "insufficient"
  })

/**
 * Removes the hold of `key` and moves its units with `inc`, in one conditional write; false when
 * `key` holds nothing (any more).
 *
 * The hold is read first because FerretDB v1 cannot select an array element by a condition in one
 * write: `$pull: { holds: { key } }` silently removes nothing, and `$elemMatch` is either refused or
 * (as a filter, in our v1.24.2 probes) matches nothing. So the write pulls the element exactly as stored (same fields, order and BSON types,
 * hence the raw element, not the decoded one) and its filter requires that exact element with
 * `$all: [element]`, which both MongoDB and FerretDB compare as a whole (FerretDB matches nothing
 * for the equivalent `{ holds: element }`). A filter on `holds.key` alone would let a stale read move
 * the counters without removing anything if the key were held again with another `at`. When another
 * writer removed the hold first, the filter matches nothing and this caller reports not_held.
 * MongoDB's `$pull` of a document ignores field order (FerretDB's does not); either way the filter has
 * required this exact element and keys are unique, so the pull removes it and nothing else.
 */
export const settleHold = <A extends Holder>(
  collection: Collection<HolderDocument>,
  decode: Decode<A>,
  id: string,
  key: string,
  at: Date,
  inc: (quantity: number) => Readonly<Record<string, number>>,
  /** When the caller knows the hold's quantity: a hold of `key` for another quantity is not its own. */
  quantity?: number,
): Effect.Effect<boolean, StoreError> =>
  Effect.gen(function* () {
    const name = collection.collectionName
    const doc = yield* mongoRead(name, "findOne", () => collection.findOne({ _id: id }))
    if (doc === null) return false
    const holder = yield* decode(doc)
    const index = holder.holds.findIndex((h) => h.key === key)
    const hold = holder.holds[index]
    // Decoding kept the array's order, so the same index names the stored element.
    const element = doc.holds?.[index]
    if (hold === undefined || element === undefined) return false
    if (quantity !== undefined && hold.quantity !== quantity) return false
    const result = yield* mongoRead(name, "updateOne", () =>
      collection.updateOne(
        { _id: id, holds: { $all: [element] } },
        {
          $pull: { holds: element },
          $inc: { ...inc(hold.quantity), version: 1 },
          $set: { updatedAt: at },
        },
      ),
    )
    return result.modifiedCount === 1
  })

/**
 * The same move in one write, for a caller that knows the hold's quantity, on a server that selects
 * an array element by a condition (not FerretDB v1, see above): the filter requires a hold of `key`
 * for exactly `quantity` units and the update pulls the hold of `key` (keys are unique in a document,
 * the hold's filter sees to it), so the counters move by the quantity of the hold removed, in the same
 * single-document write. False when no such hold is there (any more).
 */
export const settleKnownHold = (
  collection: Collection<HolderDocument>,
  id: string,
  key: string,
  quantity: number,
  at: Date,
  inc: (quantity: number) => Readonly<Record<string, number>>,
): Effect.Effect<boolean, StoreError> =>
  mongoRead(collection.collectionName, "updateOne", () =>
    collection.updateOne(
      { _id: id, holds: { $elemMatch: { key, quantity } } },
      {
        $pull: { holds: { key } },
        $inc: { ...inc(quantity), version: 1 },
        $set: { updatedAt: at },
      },
    ),
  ).pipe(Effect.map((result) => result.modifiedCount === 1))
