import { Effect, Option } from "effect"
import { BSON, type Db, type Document } from "mongodb"
import { expect } from "vitest"
import { type CapacityBuckets, type CapacityLayout, make } from "../../src/mongo/capacity/index.js"
import { MongoDatabase } from "../../src/mongo/MongoDatabase.js"
import { freshDatabase } from "../support/mongoStorage.js"

/** The engine on a fresh database with owners shaped like products (stock.* on the owner document). */
export const layoutWith = (bucketCount: number, chunk: number): CapacityLayout => ({
  owners: "owners",
  pool: "stock.available",
  reserved: "stock.reserved",
  committed: "stock.committed",
  buckets: "ownerbuckets",
  bucketCount,
  chunk,
})

export interface Engine {
  readonly db: Db
  readonly engine: CapacityBuckets
  readonly layout: CapacityLayout
}

export const withEngine = (bucketCount: number, chunk: number) =>
  Effect.map(MongoDatabase, ({ db, traits }): Engine => {
    const layout = layoutWith(bucketCount, chunk)
    return { db, layout, engine: make(db, traits, layout) }
  })

export const run = <A, E>(program: Effect.Effect<A, E, MongoDatabase>) =>
  Effect.runPromise(Effect.provide(program, freshDatabase))

export const at = new Date("2030-01-01T00:00:00.000Z")

interface StoredOwner extends Document {
  _id: string
}

/** An owner as a product is stored before any bucket exists: all its units in the pool. */
export const insertOwner = (db: Db, id: string, units: number, legacy: Document = {}) =>
  Effect.promise(() =>
    db.collection<StoredOwner>("owners").insertOne({
      _id: id,
      stock: { available: units, reserved: 0, committed: 0 },
      holds: [],
      version: 0,
      updatedAt: at,
      ...legacy,
    }),
  )

const stored = (db: Db) =>
  Effect.promise(async () => ({
    owners: await db.collection<StoredOwner>("owners").find({}).toArray(),
    buckets: await db.collection<StoredOwner>("ownerbuckets").find({}).toArray(),
  }))

const inFlight = (doc: Document): number =>
  (Array.isArray(doc.transfers) ? doc.transfers : []).reduce(
    (sum: number, t: Document) => sum + Number(t.n),
    0,
  )

/**
 * I5 on the raw documents: pool + Σ bucket counters + units in pending transfers is what was put in,
 * and no counter is negative.
 */
export const expectConserved = (db: Db, owner: string, units: number) =>
  Effect.gen(function* () {
    const { owners, buckets } = yield* stored(db)
    const root = owners.find((o) => o._id === owner)
    const mine = buckets.filter((b) => b.owner === owner)
    const counters = [
      root?.stock.available,
      root?.stock.reserved,
      root?.stock.committed,
      ...mine.flatMap((b) => [b.available, b.reserved, b.committed]),
    ]
    for (const c of counters) expect(c).toBeGreaterThanOrEqual(0)
    const total =
      counters.reduce((sum: number, c) => sum + Number(c), 0) +
      inFlight(root ?? {}) +
      mine.reduce((sum, b) => sum + inFlight(b), 0)
    expect(total).toBe(units)
    for (const b of mine) {
      expect(b.reserved).toBe(
        (b.holds ?? []).reduce((sum: number, h: Document) => sum + Number(h.quantity), 0),
      )
    }
  })

/** The largest stored document of the owners and their buckets, in BSON bytes (Object.bsonsize). */
export const largestDocument = (db: Db) =>
  Effect.map(stored(db), ({ owners, buckets }) =>
    Math.max(...[...owners, ...buckets].map((doc) => BSON.calculateObjectSize(doc))),
  )

export const totalsOf = (engine: CapacityBuckets, owner: string) =>
  Effect.flatMap(engine.totals(owner), (found) =>
    Option.match(found, {
      onNone: () => Effect.die(new Error(`no owner ${owner}`)),
      onSome: Effect.succeed,
    }),
  )
