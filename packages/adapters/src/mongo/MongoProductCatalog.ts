import {
  type CommitOutcome,
  type HoldOutcome,
  Product,
  ProductCatalog,
  ProductListing,
  ProductSummary,
  type ReleaseOutcome,
} from "@settle/domain"
import { Effect, Layer } from "effect"
import { fromDocument } from "./documents.js"
import { type HolderDocument, missedHold, settleHold, settleKnownHold } from "./holds.js"
import { PRODUCT_LISTING, WITHOUT_HOLDS } from "./listingReads.js"
import { MongoDatabase } from "./MongoDatabase.js"
import { mongoCall, mongoRead } from "./mongoCall.js"
import { makePlaces, type PlaceBook } from "./places.js"

const COLLECTION = "products"
export const PLACES_COLLECTION = "productplaces"
const STOCK = { available: "stock.available", reserved: "stock.reserved", settled: "stock.committed" }
// The listing, and whether the product keeps its stock in places (so its holds go there first).
const LISTING_READ = { projection: { ...PRODUCT_LISTING.projection, "places.unplaced": 1 } }

const committing = (quantity: number) => ({ "stock.reserved": -quantity, "stock.committed": quantity })

/** A product as stored: the domain's fields, its id as `_id`. */
type ProductDocument = Omit<Product, "id"> & { readonly _id: string; readonly places?: PlaceBook }

/**
 * Products in `products`, stock as `stock.{available,reserved,committed}` and `holds[]` on the same
 * document: every stock move is one conditional write on that document (docs/architecture.md). A
 * product created with more units than a document takes (`unitsPerPlace`) keeps them in places
 * (`productplaces`, places.ts), each place a document of the same shape, and reads add them up.
 */
export const make: Effect.Effect<ProductCatalog, never, MongoDatabase> = Effect.map(
  MongoDatabase,
  ({ db, traits, unitsPerPlace }) => {
    const products = db.collection<ProductDocument>(COLLECTION)
    const holders = db.collection<HolderDocument>(COLLECTION)
    const decode = fromDocument(Product, COLLECTION)
    const decodeListing = fromDocument(ProductListing, COLLECTION)
    const places = makePlaces({
      db,
      collection: PLACES_COLLECTION,
      owners: COLLECTION,
      paths: STOCK,
      unitsPerPlace,
    })
    const decodeAll = places.decodeAll(decode)
    const decodeOne = places.decodeOne(decode)
    const decodeSummary = fromDocument(ProductSummary, COLLECTION)
    const decodeSummaries = places.decodeAll(decodeSummary, false)
    const decodeSummaryOne = places.decodeOne(decodeSummary, false)
    const { learn, inPlaces } = places

    const service: ProductCatalog = {
      insert: (product) =>
        Effect.asVoid(
          mongoCall(COLLECTION, "insertOne", () => {
            const { id, ...fields } = product
            const book =
              product.holds.length === 0 && product.stock.reserved === 0
                ? places.bookFor(product.stock.available)
                : undefined
            return products
              .insertOne(
                book === undefined
                  ? { _id: id, ...fields }
                  : { _id: id, ...fields, stock: { ...fields.stock, available: 0 }, places: book },
              )
              .then((result) => {
                if (book !== undefined) learn({ _id: id, places: book })
                return result
              })
          }),
        ),

      findById: (id) =>
        mongoRead(COLLECTION, "findOne", () => products.findOne({ _id: id })).pipe(Effect.flatMap(decodeOne)),

      // Neither the document's holds nor its places' leave the server.
      findSummary: (id) =>
        mongoRead(COLLECTION, "findOne", () => products.findOne({ _id: id }, WITHOUT_HOLDS)).pipe(
          Effect.flatMap(decodeSummaryOne),
        ),

      findBySkus: (skus) =>
        skus.length === 0
          ? Effect.succeed([])
          : mongoRead(COLLECTION, "find", () =>
              products
                .find({ sku: { $in: [...skus] } }, LISTING_READ)
                .sort({ sku: 1 })
                .toArray(),
            ).pipe(
              Effect.flatMap((docs) =>
                Effect.forEach(docs, (doc) => {
                  learn(doc)
                  return decodeListing(doc)
                }),
              ),
            ),

      list: () =>
        mongoRead(COLLECTION, "find", () => products.find({}).sort({ sku: 1 }).toArray()).pipe(
          Effect.flatMap(decodeAll),
        ),

      // Served by the unique sku index: the range past `after`, in its order, stops at `limit`.
      listPage: ({ after, limit }) =>
        mongoRead(COLLECTION, "find", () =>
          products
            .find(after === undefined ? {} : { sku: { $gt: after } }, WITHOUT_HOLDS)
            .sort({ sku: 1 })
            .limit(limit)
            .toArray(),
        ).pipe(Effect.flatMap(decodeSummaries)),

      // A product's version is its document's plus its places' (every stock move bumps one of them),
      // so the document's own must be what the caller saw less what the places have counted since.
      update: (id, expectedVersion, changes, at) =>
        Effect.flatMap(places.placesVersion(id), (inPlacesVersion) =>
          mongoRead(COLLECTION, "findOneAndUpdate", () =>
            products.findOneAndUpdate(
              { _id: id, version: expectedVersion - inPlacesVersion },
              {
                $set: {
                  ...(changes.name !== undefined && { name: changes.name }),
                  ...(changes.price !== undefined && { price: changes.price }),
                  ...(changes.active !== undefined && { active: changes.active }),
                  updatedAt: at,
                },
                $inc: { version: 1 },
              },
              // No projection: FerretDB v1 has none on findAndModify. The summary's decoding drops the holds.
              { returnDocument: "after" },
            ),
          ),
        ).pipe(Effect.flatMap(decodeSummaryOne)),

      hold: (id, key, orderId, quantity, at) =>
        Effect.gen(function* () {
          if (places.known(id)) return yield* places.hold(id, key, orderId, quantity, at)
          // The filter is the whole decision (enough units, key not yet holding); no $expr, so it also
          // runs on FerretDB and on every MongoDB version. "Not yet holding" is $nor of the equality
          // match: `"holds.key": { $ne: key }` means the same on MongoDB, but FerretDB v1 matches it
          // whenever any other key holds, and would hold this one twice.
          const result = yield* mongoRead(COLLECTION, "updateOne", () =>
            products.updateOne(
              { _id: id, "stock.available": { $gte: quantity }, $nor: [{ "holds.key": key }] },
              {
                $inc: { "stock.available": -quantity, "stock.reserved": quantity, version: 1 },
                $push: { holds: { key, orderId, quantity, at } },
                $set: { updatedAt: at },
              },
            ),
          )
          if (result.modifiedCount === 1) return "held" satisfies HoldOutcome
          return yield* missedHold(holders, decode, id, key, places, () =>
            places.hold(id, key, orderId, quantity, at),
          )
        }),

      // Finalization's commit: one write where the server can select the hold by a condition, else
      // the hold is read first (holds.ts says why).
      commitHold: (id, key, at, quantity) =>
        places
          .whereHeld(
            id,
            traits.ferretdb
              ? settleHold(holders, decode, id, key, at, committing, quantity)
              : settleKnownHold(holders, id, key, quantity, at, committing),
            () => places.settleKnown(id, key, quantity, at),
          )
          .pipe(Effect.map((moved): CommitOutcome => (moved ? "committed" : "not_held"))),

      releaseHold: (id, key, at) =>
        places
          .whereHeld(
            id,
            settleHold(holders, decode, id, key, at, (q) => ({ "stock.reserved": -q, "stock.available": q })),
            () => places.release(id, key, at),
          )
          .pipe(Effect.map((moved): ReleaseOutcome => (moved ? "released" : "not_held"))),

      // A refund's units go back where they were committed: to the places, or the document's own
      // (which, for a product with places, are then unplaced: the places take every new hold).
      restock: (id, quantity, at) =>
        Effect.gen(function* () {
          const hot = yield* inPlaces(id)
          if (hot && (yield* places.unsettle(id, quantity, at))) return true
          const result = yield* mongoRead(COLLECTION, "updateOne", () =>
            products.updateOne(
              { _id: id, "stock.committed": { $gte: quantity } },
              {
                $inc: {
                  "stock.committed": -quantity,
                  [hot ? "places.unplaced" : "stock.available"]: quantity,
                  version: 1,
                },
                $set: { updatedAt: at },
              },
            ),
          )
          return result.modifiedCount === 1
        }),

      // Received stock joins the unplaced units of a product with places: the next place opened takes it.
      addStock: (id, quantity, at) =>
        Effect.gen(function* () {
          const own = !(yield* inPlaces(id))
          const result = yield* mongoRead(COLLECTION, "updateOne", () =>
            products.updateOne(
              { _id: id },
              {
                $inc: { [own ? "stock.available" : "places.unplaced"]: quantity, version: 1 },
                $set: { updatedAt: at },
              },
            ),
          )
          return result.modifiedCount === 1
        }),
    }
    return service
  },
)

export const layer: Layer.Layer<ProductCatalog, never, MongoDatabase> = Layer.effect(ProductCatalog, make)
