import { type HoldOutcome, StoreError } from "@settle/domain"
import { Effect, Option } from "effect"
import type { Collection, Db, Document } from "mongodb"
import { mongoCall, mongoRead } from "./mongoCall.js"

/**
 * Capacity places (issue 13, docs/architecture.md "Hot owners"): a coupon or product created with more
 * units than one place takes keeps them in place documents of at most `unitsPerPlace` units each, every
 * place with its own counters and the holds on them. A place's holds can never outnumber its units, so
 * no document grows with the open holds of its owner, and every move (hold, commit, release) is still
 * one conditional write on one document, with its record.
 *
 * The owner's document keeps the units no place has yet (`places.unplaced`), the size of every place
 * opened (`places.shares`: place n has `shares[n]` units, more after a top-up) and what it took back
 * from each place (`places.back`). Units only go from the owner to a place (an opening, a top-up) or
 * back (a give-back), never from place to place, each move two writes whose second is conditional on
 * the first's record, so that it applies once; after a crash between them, the next miss completes it,
 * and reads count the units in flight as available.
 */

/** Where an owner's three counters are, the same paths in its own document and its places'. */
export interface CounterPaths {
  readonly available: string
  readonly reserved: string
  /** committed (stock) or redeemedCount (coupons). */
  readonly settled: string
}

/** The record a hot owner's document carries; absent on an owner whose units are all its own. */
export interface PlaceBook {
  readonly unplaced: number
  readonly shares: ReadonlyArray<number>
  /** For place n, the units it gave back (its `returned`) that `unplaced` has received so far. */
  readonly back: Readonly<Record<string, number>>
}

/** A place as stored; its three counters sit at the owner's paths (CounterPaths), beside these. */
type PlaceDocument = {
  readonly _id: string
  readonly owner: string
  readonly n: number
  readonly units: number
  /** Units given back to the owner's `unplaced` (available + reserved + settled + returned = units). */
  readonly returned: number
  readonly holds: ReadonlyArray<{ key: string; orderId: string; quantity: number; at: Date }>
  /** The place's own id, then one slot per hold: what the unique index keeps apart across places. */
  readonly slots: ReadonlyArray<string>
  readonly version: number
  readonly updatedAt: Date
}

type OwnerDocument = { readonly _id: string; readonly places?: PlaceBook }

export const placeId = (owner: string, n: number): string => `${owner}#${n}`
/** A hold's entry in the unique `slots` index: one per owner and key across all the owner's places. */
const slotOf = (owner: string, key: string): string => `${owner}|${key}`

/** The owner document's record, if it has places; a malformed one is refused rather than guessed. */
export const bookOf = (
  collection: string,
  doc: Document,
): Effect.Effect<PlaceBook | undefined, StoreError> => {
  const book: unknown = doc.places
  if (book === undefined || book === null) return Effect.succeed(undefined)
  if (
    typeof book === "object" &&
    "unplaced" in book &&
    "shares" in book &&
    typeof book.unplaced === "number" &&
    Array.isArray(book.shares) &&
    book.shares.every((share) => typeof share === "number")
  ) {
    const back: unknown = "back" in book ? book.back : undefined
    if (back === undefined || back === null) {
      return Effect.succeed({ unplaced: book.unplaced, shares: book.shares, back: {} })
    }
    if (typeof back === "object" && Object.values(back).every((units) => typeof units === "number")) {
      return Effect.succeed({
        unplaced: book.unplaced,
        shares: book.shares,
        back: back as Record<string, number>,
      })
    }
  }
  return Effect.fail(
    new StoreError({
      message: `[db] malformed document in ${collection} _id=${String(doc._id)}: places must be { unplaced, shares, back? }`,
      kind: "refused",
    }),
  )
}

const valueAt = (doc: Document, path: string): number => {
  let value: unknown = doc
  for (const part of path.split(".")) value = (value as Record<string, unknown> | undefined)?.[part]
  return typeof value === "number" ? value : 0
}

/** Sets `path` in a copy of `doc` (one level of nesting is all the layouts use). */
const withValue = (doc: Document, path: string, value: number): Document => {
  const [head, tail] = path.split(".") as [string, string | undefined]
  if (tail === undefined) return { ...doc, [head]: value }
  return { ...doc, [head]: { ...(doc[head] as Document | undefined), [tail]: value } }
}

/** `{ "stock.available": 3 }` → `{ stock: { available: 3 } }`, for documents written whole. */
const nested = (flat: Readonly<Record<string, number>>): Document =>
  Object.entries(flat).reduce<Document>((doc, [path, value]) => withValue(doc, path, value), {})

/** A contended owner or place is retried; this many rounds without a decision is a store fault. */
const MAX_ROUNDS = 1_000

export interface Places {
  readonly collection: Collection<PlaceDocument>
  /** Owners created with more units than this keep them in places (on servers whose writes are atomic). */
  readonly unitsPerPlace: number
  /** The record a new hot owner's document starts with, or undefined when `units` fit its own document. */
  readonly bookFor: (units: number) => PlaceBook | undefined
  /** Take `quantity` units from one place for `key`; opens a place when none has room. */
  readonly hold: (
    owner: string,
    key: string,
    orderId: string,
    quantity: number,
    at: Date,
  ) => Effect.Effect<HoldOutcome, StoreError>
  /** reserved → settled for the hold of `key` of exactly `quantity` units, in one write. */
  readonly settleKnown: (
    owner: string,
    key: string,
    quantity: number,
    at: Date,
  ) => Effect.Effect<boolean, StoreError>
  /** reserved → available for the hold of `key`: its place is read, then one conditional write. */
  readonly release: (owner: string, key: string, at: Date) => Effect.Effect<boolean, StoreError>
  /** settled → available: in one place that settled as many, else in parts over several; false if fewer were settled. */
  readonly unsettle: (owner: string, quantity: number, at: Date) => Effect.Effect<boolean, StoreError>
  /**
   * Owner documents as the entity sees them: hot owners' counters, holds, version summed over places.
   * Without `holds`, for owners read without theirs: the places are read without theirs too.
   */
  readonly assemble: (
    owners: ReadonlyArray<Document>,
    holds?: boolean,
  ) => Effect.Effect<ReadonlyArray<Document>, StoreError>
  /** The sum of the places' versions of `owner` (0 without places): an owner's version is its own plus that. */
  readonly placesVersion: (owner: string) => Effect.Effect<number, StoreError>
  /** Rewrite each place's available and reserved from its holds, each on its own version. */
  readonly recount: (owner: string, at: Date) => Effect.Effect<void, StoreError>
  /** Whether this process knows `owner` keeps its units in places (created or read here). */
  readonly known: (owner: string) => boolean
  /** Notes an owner document read or written with `places`; owners never leave them, so this only grows. */
  readonly learn: (doc: Document) => void
  /** Whether `owner` keeps its units in places: known, else read (an owner another process created). */
  readonly inPlaces: (owner: string) => Effect.Effect<boolean, StoreError>
  /** Decodes owner documents as the entity: each hot owner's places added up first (`assemble`). */
  readonly decodeAll: <A>(
    decode: (doc: Document) => Effect.Effect<A, StoreError>,
    holds?: boolean,
  ) => (docs: ReadonlyArray<Document>) => Effect.Effect<ReadonlyArray<A>, StoreError>
  /**
   * A commit or release of a hold, wherever it is: in the places when `owner` is known to have them,
   * else in the owner's own document (`own`), then in the places if it turns out to have them.
   */
  readonly whereHeld: (
    owner: string,
    own: Effect.Effect<boolean, StoreError>,
    inPlace: () => Effect.Effect<boolean, StoreError>,
  ) => Effect.Effect<boolean, StoreError>
  /** `decodeAll` of one document read or written, none when there was none. */
  readonly decodeOne: <A>(
    decode: (doc: Document) => Effect.Effect<A, StoreError>,
    holds?: boolean,
  ) => (doc: Document | null) => Effect.Effect<Option.Option<A>, StoreError>
}

export const makePlaces = (options: {
  readonly db: Db
  readonly collection: string
  readonly owners: string
  readonly paths: CounterPaths
  readonly unitsPerPlace: number
}): Places => {
  const { db, paths, unitsPerPlace } = options
  const name = options.collection
  const places = db.collection<PlaceDocument>(name)
  const owners = db.collection<OwnerDocument>(options.owners)

  const readBook = (owner: string) =>
    mongoRead(options.owners, "findOne", () =>
      owners.findOne({ _id: owner }, { projection: { places: 1 } }),
    ).pipe(Effect.flatMap((doc) => (doc === null ? Effect.succeed(null) : bookOf(options.owners, doc))))

  /** Creates place n of `owner` with `units`, once: a second upsert of the same `_id` changes nothing. */
  const create = (owner: string, n: number, units: number, at: Date) =>
    mongoCall(name, "updateOne", () =>
      places.updateOne(
        { _id: placeId(owner, n) },
        {
          $setOnInsert: {
            owner,
            n,
            units,
            returned: 0,
            ...nested({ [paths.available]: units, [paths.reserved]: 0, [paths.settled]: 0 }),
            holds: [],
            // The place's own id keeps `slots` never empty, so the unique index needs no sparse form.
            slots: [placeId(owner, n)],
            version: 0,
            updatedAt: at,
          },
        },
        { upsert: true },
      ),
    ).pipe(
      Effect.asVoid,
      // Two callers completing the same place at once: the other's upsert created it.
      Effect.catchTag("DuplicateKey", () => Effect.void),
    )

  /** Gives place n the units its record now says (`to`), from the `from` it had, once: the write is conditional on `from`. */
  const grow = (owner: string, n: number, from: number, to: number, at: Date) =>
    mongoRead(name, "updateOne", () =>
      places.updateOne(
        { _id: placeId(owner, n), units: from },
        { $set: { units: to, updatedAt: at }, $inc: { [paths.available]: to - from } },
      ),
    )

  /**
   * Brings the places and the owner's record in line after a crash between the two writes of an
   * opening, a top-up or a give-back: creates the places it names that do not exist, gives each the
   * units it names, and receives what places gave back. How many it changed.
   */
  const complete = (owner: string, book: PlaceBook, at: Date) =>
    Effect.gen(function* () {
      if (book.shares.length === 0) return 0
      const present = yield* mongoRead(name, "find", () =>
        places.find({ owner }, { projection: { n: 1, units: 1, returned: 1 } }).toArray(),
      )
      const found = new Map(present.map((doc) => [doc.n, doc]))
      let changed = 0
      for (const [n, share] of book.shares.entries()) {
        const place = found.get(n)
        if (place === undefined) yield* create(owner, n, share, at)
        else if (place.units < share) yield* grow(owner, n, place.units, share, at)
        else if ((place.returned ?? 0) > (book.back[n] ?? 0)) yield* receive(owner, n, book, place.returned)
        else continue
        changed++
      }
      return changed
    })

  /**
   * The owner takes into `unplaced` what place n has returned (`returned`, the place's running total)
   * beyond what its record says it took, once: conditional on that record. A total no higher than the
   * record (another caller received it first) changes nothing.
   */
  const receive = (owner: string, n: number, book: PlaceBook, returned: number) => {
    const before = book.back[n] ?? 0
    if (returned <= before) return Effect.void
    return mongoRead(options.owners, "updateOne", () =>
      owners.updateOne(
        { _id: owner, [`places.back.${n}`]: before === 0 ? { $exists: false } : before },
        { $set: { [`places.back.${n}`]: returned }, $inc: { "places.unplaced": returned - before } },
      ),
    ).pipe(Effect.asVoid)
  }

  /**
   * Units left over in several places, none with room for `quantity`: each place but the fullest gives
   * its available units back to the owner (the place's conditional write, then the owner's receipt), so
   * a top-up can then put them together. False when all of them and the unplaced are still too few.
   */
  const gather = (owner: string, book: PlaceBook, quantity: number, at: Date) =>
    Effect.gen(function* () {
      const spread = yield* mongoRead(name, "find", () =>
        places
          .find({ owner, [paths.available]: { $gt: 0 } }, { projection: { n: 1, [paths.available]: 1 } })
          .sort({ [paths.available]: -1 })
          .toArray(),
      )
      const left = spread.reduce((sum, place) => sum + valueAt(place, paths.available), book.unplaced)
      if (left < quantity) return false
      for (const place of spread.slice(1)) {
        const units = valueAt(place, paths.available)
        const given = yield* mongoRead(name, "findOneAndUpdate", () =>
          places.findOneAndUpdate(
            { _id: place._id, [paths.available]: { $gte: units } },
            { $inc: { [paths.available]: -units, returned: units }, $set: { updatedAt: at } },
            { returnDocument: "after", projection: { returned: 1 } },
          ),
        )
        if (given === null) continue
        const latest = yield* readBook(owner)
        if (latest) yield* receive(owner, place.n, latest, given.returned)
      }
      return true
    })

  /**
   * When no place has room for `quantity` and the unplaced units alone are too few, the place with
   * the most units left takes what it lacks from the unplaced ones (its share grows, then the place),
   * so the last units of an owner are never split between a place and its record. False when even
   * that is too few (then `gather` may give other places' units back first).
   */
  const topUp = (owner: string, book: PlaceBook, quantity: number, at: Date) =>
    Effect.gen(function* () {
      const [fullest] = yield* mongoRead(name, "find", () =>
        places
          .find({ owner }, { projection: { n: 1, units: 1, [paths.available]: 1 } })
          .sort({ [paths.available]: -1 })
          .limit(1)
          .toArray(),
      )
      if (fullest === undefined) return false
      const lacking = quantity - valueAt(fullest, paths.available)
      // Since the miss a place was created, or given units back, or is being topped up: look again.
      if (lacking <= 0 || book.shares[fullest.n] !== fullest.units) return true
      if (lacking > book.unplaced) return false
      const recorded = yield* mongoRead(options.owners, "updateOne", () =>
        owners.updateOne(
          { _id: owner, "places.unplaced": book.unplaced, [`places.shares.${fullest.n}`]: fullest.units },
          { $inc: { "places.unplaced": -lacking, [`places.shares.${fullest.n}`]: lacking } },
        ),
      )
      if (recorded.modifiedCount === 1)
        yield* grow(owner, fullest.n, fullest.units, fullest.units + lacking, at)
      return true
    })

  /** Records place `book.shares.length` in the owner's document, if the record is still `book`, then creates it. */
  const open = (owner: string, book: PlaceBook, units: number, at: Date) =>
    Effect.gen(function* () {
      const n = book.shares.length
      const recorded = yield* mongoRead(options.owners, "updateOne", () =>
        owners.updateOne(
          { _id: owner, "places.unplaced": book.unplaced, "places.shares": { $size: n } },
          { $inc: { "places.unplaced": -units }, $push: { "places.shares": units } },
        ),
      )
      if (recorded.modifiedCount === 1) yield* create(owner, n, units, at)
    })

  // The place each owner's last hold went to in this process: places fill one by one, so the next hold
  // most likely fits there, and a write on one `_id` is a point lookup with nothing to sort. Only a
  // hint: when that place has no room, the owner's places are asked through the index.
  const lastPlace = new Map<string, number>()

  const take = (filter: Document, key: string, orderId: string, quantity: number, at: Date, owner: string) =>
    mongoCall(name, "findOneAndUpdate", () =>
      places.findOneAndUpdate(
        // $nor as in the owner's own hold (MongoProductCatalog).
        { ...filter, [paths.available]: { $gte: quantity }, $nor: [{ "holds.key": key }] },
        {
          $inc: { [paths.available]: -quantity, [paths.reserved]: quantity, version: 1 },
          $push: { holds: { key, orderId, quantity, at }, slots: slotOf(owner, key) },
          $set: { updatedAt: at },
        },
        // The fullest place that still has room (fewest available first), so places fill one by one and
        // the units left over stay together.
        { sort: { [paths.available]: 1 }, projection: { _id: 1, n: 1 } },
      ),
    )

  const takeOne = (owner: string, key: string, orderId: string, quantity: number, at: Date) =>
    Effect.gen(function* () {
      const hint = lastPlace.get(owner)
      if (
        hint !== undefined &&
        (yield* take({ _id: placeId(owner, hint) }, key, orderId, quantity, at, owner))
      ) {
        return "held" satisfies HoldOutcome
      }
      const place = yield* take({ owner }, key, orderId, quantity, at, owner)
      if (place === null) return null
      lastPlace.set(owner, place.n)
      return "held" satisfies HoldOutcome
    }).pipe(
      // The unique slot: another place of this owner holds `key` already.
      Effect.catchTag("DuplicateKey", () => Effect.succeed<HoldOutcome | null>("already_held")),
    )

  const held = (owner: string, key: string) =>
    mongoRead(name, "findOne", () =>
      places.findOne({ slots: slotOf(owner, key) }, { projection: { _id: 1 } }),
    ).pipe(Effect.map((doc) => doc !== null))

  const hold: Places["hold"] = (owner, key, orderId, quantity, at) =>
    Effect.gen(function* () {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const outcome = yield* takeOne(owner, key, orderId, quantity, at)
        if (outcome !== null) return outcome
        if (yield* held(owner, key)) return "already_held"
        const book = yield* readBook(owner)
        if (book === null) return "not_found"
        if (book === undefined) return "insufficient"
        if ((yield* complete(owner, book, at)) > 0) continue
        if (book.unplaced >= quantity) {
          yield* open(owner, book, Math.min(book.unplaced, Math.max(unitsPerPlace, quantity)), at)
          continue
        }
        if (yield* topUp(owner, book, quantity, at)) continue
        if (!(yield* gather(owner, book, quantity, at))) return "insufficient"
      }
      return yield* Effect.fail(
        new StoreError({ message: `[db] ${name}: no hold decided for ${owner} after ${MAX_ROUNDS} rounds` }),
      )
    })

  const settleKnown: Places["settleKnown"] = (owner, key, quantity, at) =>
    mongoRead(name, "updateOne", () =>
      places.updateOne(
        { slots: slotOf(owner, key), holds: { $elemMatch: { key, quantity } } },
        {
          $pull: { holds: { key }, slots: slotOf(owner, key) },
          $inc: { [paths.reserved]: -quantity, [paths.settled]: quantity, version: 1 },
          $set: { updatedAt: at },
        },
      ),
    ).pipe(Effect.map((result) => result.modifiedCount === 1))

  const release: Places["release"] = (owner, key, at) =>
    Effect.gen(function* () {
      const place = yield* mongoRead(name, "findOne", () =>
        places.findOne({ slots: slotOf(owner, key) }, { projection: { holds: 1 } }),
      )
      const hold = (place?.holds as ReadonlyArray<Document> | undefined)?.find((h) => h.key === key)
      if (place === null || hold === undefined || typeof hold.quantity !== "number") return false
      const quantity = hold.quantity
      const result = yield* mongoRead(name, "updateOne", () =>
        places.updateOne(
          { _id: place._id, holds: { $elemMatch: { key, quantity } } },
          {
            $pull: { holds: { key }, slots: slotOf(owner, key) },
            $inc: { [paths.reserved]: -quantity, [paths.available]: quantity, version: 1 },
            $set: { updatedAt: at },
          },
        ),
      )
      return result.modifiedCount === 1
    })

  const unsettleIn = (filter: Document, quantity: number, at: Date) =>
    mongoRead(name, "updateOne", () =>
      places.updateOne(
        { ...filter, [paths.settled]: { $gte: quantity } },
        {
          $inc: { [paths.settled]: -quantity, [paths.available]: quantity, version: 1 },
          $set: { updatedAt: at },
        },
      ),
    ).pipe(Effect.map((result) => result.modifiedCount === 1))

  // One place that settled enough, else the units from several (a restock is one caller's move and not
  // idempotent anyway, so it need not be one write; each part still is).
  const unsettle: Places["unsettle"] = (owner, quantity, at) =>
    Effect.gen(function* () {
      if (yield* unsettleIn({ owner }, quantity, at)) return true
      const read = yield* mongoRead(name, "find", () =>
        places
          .find({ owner, [paths.settled]: { $gt: 0 } }, { projection: { [paths.settled]: 1 } })
          .sort({ [paths.settled]: -1 })
          .toArray(),
      )
      let left = quantity
      for (const place of read) {
        const part = Math.min(left, valueAt(place, paths.settled))
        if (part > 0 && (yield* unsettleIn({ _id: place._id }, part, at))) left -= part
        if (left === 0) return true
      }
      return false
    })

  const assemble: Places["assemble"] = (docs, withHolds = true) =>
    Effect.gen(function* () {
      const books = new Map<string, PlaceBook>()
      for (const doc of docs) {
        const book = yield* bookOf(options.owners, doc)
        if (book !== undefined) books.set(String(doc._id), book)
      }
      if (books.size === 0) return docs
      const read = yield* mongoRead(name, "find", () =>
        places
          .find(
            { owner: { $in: [...books.keys()] } },
            { projection: withHolds ? { slots: 0 } : { slots: 0, holds: 0 } },
          )
          .sort({ owner: 1, n: 1 })
          .toArray(),
      )
      const byOwner = new Map<string, Array<Document>>()
      for (const place of read) {
        const list = byOwner.get(String(place.owner)) ?? []
        list.push(place)
        byOwner.set(String(place.owner), list)
      }
      return docs.map((doc) => {
        const book = books.get(String(doc._id))
        if (book === undefined) return doc
        const found = new Map((byOwner.get(String(doc._id)) ?? []).map((place) => [place.n as number, place]))
        let available = valueAt(doc, paths.available) + book.unplaced
        let reserved = valueAt(doc, paths.reserved)
        let settled = valueAt(doc, paths.settled)
        let version = typeof doc.version === "number" ? doc.version : 0
        let updatedAt: unknown = doc.updatedAt
        const holds: Array<unknown> = [...((doc.holds as ReadonlyArray<unknown> | undefined) ?? [])]
        // Only the places this read of the owner names: one opened since is still in `unplaced`, and
        // one not created yet (a crash after its record) has all its units available.
        for (const [n, units] of book.shares.entries()) {
          const place = found.get(n)
          if (place === undefined) {
            available += units
            continue
          }
          // The place's units against its share as this read of the owner has it: a top-up recorded but
          // not yet received adds its units (available, as the place will have them); one recorded after
          // that read but already received takes them off, as `unplaced` above still counts them.
          available +=
            valueAt(place, paths.available) +
            (units - (place.units as number)) +
            // Given back by the place, not yet received by the owner: available, as `unplaced` will have it.
            Math.max(0, ((place.returned as number | undefined) ?? 0) - (book.back[n] ?? 0))
          reserved += valueAt(place, paths.reserved)
          settled += valueAt(place, paths.settled)
          version += typeof place.version === "number" ? place.version : 0
          if (place.updatedAt instanceof Date && updatedAt instanceof Date && place.updatedAt > updatedAt) {
            updatedAt = place.updatedAt
          }
          holds.push(...((place.holds as ReadonlyArray<unknown> | undefined) ?? []))
        }
        let assembled = withValue(doc, paths.available, available)
        assembled = withValue(assembled, paths.reserved, reserved)
        assembled = withValue(assembled, paths.settled, settled)
        return withHolds ? { ...assembled, holds, version, updatedAt } : { ...assembled, version, updatedAt }
      })
    })

  const placesVersion: Places["placesVersion"] = (owner) =>
    mongoRead(name, "find", () => places.find({ owner }, { projection: { version: 1 } }).toArray()).pipe(
      Effect.map((docs) =>
        docs.reduce((sum, doc) => sum + (typeof doc.version === "number" ? doc.version : 0), 0),
      ),
    )

  const recount: Places["recount"] = (owner, at) =>
    Effect.gen(function* () {
      const read = yield* mongoRead(name, "find", () => places.find({ owner }).toArray())
      for (const place of read) {
        const holds = (place.holds as ReadonlyArray<Document> | undefined) ?? []
        const reserved = holds.reduce((sum, h) => sum + (typeof h.quantity === "number" ? h.quantity : 0), 0)
        const available = Math.max(
          0,
          (place.units as number) - reserved - valueAt(place, paths.settled) - (place.returned ?? 0),
        )
        if (valueAt(place, paths.reserved) === reserved && valueAt(place, paths.available) === available)
          continue
        // Counters from holds of another version would be wrong: the write is conditional on the one read.
        yield* mongoRead(name, "updateOne", () =>
          places.updateOne(
            { _id: place._id, version: place.version },
            {
              $set: { [paths.reserved]: reserved, [paths.available]: available, updatedAt: at },
              $inc: { version: 1 },
            },
          ),
        )
      }
    })

  const placed = new Set<string>()
  const learn: Places["learn"] = (doc) => {
    if (doc.places !== undefined && doc.places !== null) placed.add(String(doc._id))
  }
  const inPlaces: Places["inPlaces"] = (owner) =>
    placed.has(owner) || !Number.isFinite(unitsPerPlace)
      ? Effect.succeed(placed.has(owner))
      : mongoRead(options.owners, "findOne", () =>
          owners.findOne({ _id: owner, places: { $exists: true } }, { projection: { _id: 1 } }),
        ).pipe(
          Effect.map((doc) => {
            if (doc !== null) placed.add(owner)
            return doc !== null
          }),
        )

  const decodeAll: Places["decodeAll"] = (decode, holds) => (docs) =>
    assemble(docs, holds).pipe(Effect.flatMap((assembled) => Effect.forEach(assembled, decode)))

  return {
    collection: places,
    unitsPerPlace,
    bookFor: (units) => (units > unitsPerPlace ? { unplaced: units, shares: [], back: {} } : undefined),
    hold,
    settleKnown,
    release,
    unsettle,
    assemble,
    placesVersion,
    recount,
    known: (owner) => placed.has(owner),
    learn,
    inPlaces,
    whereHeld: (owner, own, inPlace) =>
      placed.has(owner)
        ? inPlace()
        : Effect.flatMap(own, (moved) =>
            moved
              ? Effect.succeed(true)
              : Effect.flatMap(inPlaces(owner), (hot) => (hot ? inPlace() : Effect.succeed(false))),
          ),
    decodeAll,
    decodeOne: (decode, holds) => (doc) =>
      doc === null
        ? Effect.succeedNone
        : Effect.map(decodeAll(decode, holds)([doc]), (all) => Option.fromNullable(all[0])),
  }
}
