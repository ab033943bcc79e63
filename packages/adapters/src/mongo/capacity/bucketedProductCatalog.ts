import { Product, type ProductCatalog, ProductListing, type StoreError } from "@settle/domain"
import { Effect, Option } from "effect"
import type { Db, Document } from "mongodb"
import { fromDocument } from "../documents.js"
import { PRODUCT_LISTING } from "../listingReads.js"
import { mongoCall, mongoRead } from "../mongoCall.js"
import type { ServerTraits } from "../serverTraits.js"
import { make as makeBuckets } from "./CapacityBuckets.js"
import type { CapacityLayout } from "./CapacityLayout.js"
import type { CapacityCounters } from "./counters.js"

const COLLECTION = "products"

/** Products' stock: the product document's `stock.available` is the pool, its buckets in `stockbuckets`. */
export const STOCK: CapacityLayout = {
  owners: COLLECTION,
  pool: "stock.available",
  reserved: "stock.reserved",
  committed: "stock.committed",
  buckets: "stockbuckets",
  bucketCount: 1024,
  chunk: 64,
}

const WITHOUT_HOLDS = { projection: { holds: 0 } } as const

/**
 * A product as decoded from its own document, with the stock, version and time its buckets add up to.
 * Decoding the stored document first keeps a hand edit gone wrong a StoreError.
 */
const summed = (product: Product, c: CapacityCounters): Product => ({
  ...product,
  stock: { available: c.available, reserved: c.reserved, committed: c.committed },
  version: c.version,
  updatedAt: c.updatedAt ?? product.updatedAt,
})

/**
 * The catalog on a server that applies each conditional write atomically: a product's units spread
 * over its document and hashed buckets with their own holds (issue 13), so no move pays for, and no
 * document carries, the open holds of a hot product.
 */
export const bucketedProductCatalog = (
  db: Db,
  traits: ServerTraits,
  layout: CapacityLayout = STOCK,
): ProductCatalog => {
  const products = db.collection<Document & { _id: string }>(COLLECTION)
  const buckets = makeBuckets(db, traits, layout)
  const decode = fromDocument(Product, COLLECTION)
  const decodeListing = fromDocument(ProductListing, COLLECTION)
  // Product documents never gain holds after their insert (new holds go to buckets): once one is seen
  // without any, a hold needs no look at it for a key held there from before the buckets.
  const noOwnHolds = new Set<string>()

  const full = (doc: Document): Effect.Effect<Product, StoreError> =>
    Effect.zipWith(decode(doc), buckets.totals(doc._id), (product, totals) =>
      Option.match(totals, {
        onNone: () => product,
        onSome: (t) => ({ ...summed(product, t), holds: t.holds }),
      }),
    )
  const fullOne = (doc: Document | null) => (doc === null ? Effect.succeedNone : Effect.asSome(full(doc)))

  const heldBefore = (id: string, key: string) =>
    noOwnHolds.has(id)
      ? Effect.succeed(false)
      : Effect.gen(function* () {
          const doc = yield* mongoRead(COLLECTION, "findOne", () =>
            products.findOne({ _id: id }, { projection: { holds: { $slice: 1 } } }),
          )
          if (doc === null) return false
          if (!Array.isArray(doc.holds) || doc.holds.length === 0) {
            noOwnHolds.add(id)
            return false
          }
          const held = yield* mongoRead(COLLECTION, "findOne", () =>
            products.findOne({ _id: id, "holds.key": key }, { projection: { _id: 1 } }),
          )
          return held !== null
        })

  return {
    insert: (product) =>
      Effect.asVoid(
        mongoCall(COLLECTION, "insertOne", () => {
          const { id, ...fields } = product
          return products.insertOne({ _id: id, ...fields })
        }),
      ),

    findById: (id) =>
      mongoRead(COLLECTION, "findOne", () => products.findOne({ _id: id })).pipe(Effect.flatMap(fullOne)),

    // The product documents alone: the listing has no stock, so none of the buckets is read (issue 13).
    findBySkus: (skus) =>
      skus.length === 0
        ? Effect.succeed([])
        : mongoRead(COLLECTION, "find", () =>
            products
              .find({ sku: { $in: [...skus] } }, PRODUCT_LISTING)
              .sort({ sku: 1 })
              .toArray(),
          ).pipe(Effect.flatMap((docs) => Effect.forEach(docs, decodeListing))),

    list: () =>
      mongoRead(COLLECTION, "find", () => products.find({}).sort({ sku: 1 }).toArray()).pipe(
        Effect.flatMap((docs) => Effect.forEach(docs, full)),
      ),

    listPage: ({ after, limit }) =>
      mongoRead(COLLECTION, "find", () =>
        products
          .find(after === undefined ? {} : { sku: { $gt: after } })
          .sort({ sku: 1 })
          .limit(limit)
          .toArray(),
      ).pipe(Effect.flatMap((docs) => Effect.forEach(docs, full))),

    // The version is summed over the product and its buckets; the write is conditional on the
    // product document's own, as read, so of two updates on one version exactly one wins.
    update: (id, expectedVersion, changes, at) =>
      Effect.gen(function* () {
        const doc = yield* mongoRead(COLLECTION, "findOne", () =>
          products.findOne({ _id: id }, WITHOUT_HOLDS),
        )
        if (doc === null) return Option.none()
        const counters = (yield* buckets.counters([id])).get(id)
        if (counters === undefined || counters.version !== expectedVersion) return Option.none()
        const written = yield* mongoRead(COLLECTION, "findOneAndUpdate", () =>
          products.findOneAndUpdate(
            { _id: id, version: doc.version },
            {
              $set: {
                ...(changes.name !== undefined && { name: changes.name }),
                ...(changes.price !== undefined && { price: changes.price }),
                ...(changes.active !== undefined && { active: changes.active }),
                updatedAt: at,
              },
              $inc: { version: 1 },
            },
            { returnDocument: "after" },
          ),
        )
        return yield* fullOne(written)
      }),

    hold: (id, key, orderId, quantity, at) =>
      Effect.flatMap(heldBefore(id, key), (held) =>
        held ? Effect.succeed("already_held" as const) : buckets.hold(id, key, orderId, quantity, at),
      ),

    commitHold: (id, key, at, quantity) =>
      Effect.map(buckets.settle(id, key, at, "commit", quantity), (moved) =>
        moved ? "committed" : "not_held",
      ),

    releaseHold: (id, key, at) =>
      Effect.map(buckets.settle(id, key, at, "release"), (moved) => (moved ? "released" : "not_held")),

    restock: (id, quantity, at) => buckets.restock(id, quantity, at),

    addStock: (id, quantity, at) => buckets.add(id, quantity, at),
  }
}
