import {
  type CommitOutcome,
  type HoldOutcome,
  Product,
  ProductCatalog,
  ProductListing,
  type ReleaseOutcome,
} from "@settle/domain"
import { Effect, Layer } from "effect"
import type { Document } from "mongodb"
import { fromDocument } from "./documents.js"
import { type HolderDocument, missedHold, settleHold, settleKnownHold } from "./holds.js"
import { PRODUCT_LISTING } from "./listingReads.js"
import { MongoDatabase } from "./MongoDatabase.js"
import { mongoCall, mongoRead } from "./mongoCall.js"

const COLLECTION = "products"

const committing = (quantity: number) => ({ "stock.reserved": -quantity, "stock.committed": quantity })

/** A product as stored: the domain's fields, its id as `_id`. */
type ProductDocument = Omit<Product, "id"> & { readonly _id: string }

/**
 * Products in `products`, stock as `stock.{available,reserved,committed}` and `holds[]` on the same
 * document: every stock move is one conditional write on that document (docs/architecture.md).
 */
export const make: Effect.Effect<ProductCatalog, never, MongoDatabase> = Effect.map(
  MongoDatabase,
  ({ db, traits }) => {
    const products = db.collection<ProductDocument>(COLLECTION)
    const holders = db.collection<HolderDocument>(COLLECTION)
    const decode = fromDocument(Product, COLLECTION)
    const decodeAll = (docs: ReadonlyArray<Document>) => Effect.forEach(docs, decode)
    const decodeListing = fromDocument(ProductListing, COLLECTION)

    const service: ProductCatalog = {
      insert: (product) =>
        Effect.asVoid(
          mongoCall(COLLECTION, "insertOne", () => {
            const { id, ...fields } = product
            return products.insertOne({ _id: id, ...fields })
          }),
        ),

      findById: (id) =>
        mongoRead(COLLECTION, "findOne", () => products.findOne({ _id: id })).pipe(
          Effect.flatMap((doc) => (doc === null ? Effect.succeedNone : Effect.asSome(decode(doc)))),
        ),

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
          Effect.flatMap(decodeAll),
        ),

      // Served by the unique sku index: the range past `after`, in its order, stops at `limit`.
      listPage: ({ after, limit }) =>
        mongoRead(COLLECTION, "find", () =>
          products
            .find(after === undefined ? {} : { sku: { $gt: after } })
            .sort({ sku: 1 })
            .limit(limit)
            .toArray(),
        ).pipe(Effect.flatMap(decodeAll)),

      update: (id, expectedVersion, changes, at) =>
        mongoRead(COLLECTION, "findOneAndUpdate", () =>
          products.findOneAndUpdate(
            { _id: id, version: expectedVersion },
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
        ).pipe(Effect.flatMap((doc) => (doc === null ? Effect.succeedNone : Effect.asSome(decode(doc))))),

      hold: (id, key, orderId, quantity, at) =>
        Effect.gen(function* () {
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
          return yield* missedHold(holders, decode, id, key)
        }),

      // Finalization's commit: one write where the server can select the hold by a condition, else
      // the hold is read first (holds.ts says why).
      commitHold: (id, key, at, quantity) =>
        (traits.ferretdb
          ? settleHold(holders, decode, id, key, at, committing, quantity)
          : settleKnownHold(holders, id, key, quantity, at, committing)
        ).pipe(Effect.map((moved): CommitOutcome => (moved ? "committed" : "not_held"))),

      releaseHold: (id, key, at) =>
        settleHold(holders, decode, id, key, at, (q) => ({
          "stock.reserved": -q,
          "stock.available": q,
        })).pipe(Effect.map((moved): ReleaseOutcome => (moved ? "released" : "not_held"))),

      restock: (id, quantity, at) =>
        mongoRead(COLLECTION, "updateOne", () =>
          products.updateOne(
            { _id: id, "stock.committed": { $gte: quantity } },
            {
              $inc: { "stock.committed": -quantity, "stock.available": quantity, version: 1 },
              $set: { updatedAt: at },
            },
          ),
        ).pipe(Effect.map((result) => result.modifiedCount === 1)),

      addStock: (id, quantity, at) =>
        mongoRead(COLLECTION, "updateOne", () =>
          products.updateOne(
            { _id: id },
            { $inc: { "stock.available": quantity, version: 1 }, $set: { updatedAt: at } },
          ),
        ).pipe(Effect.map((result) => result.modifiedCount === 1)),
    }
    return service
  },
)

export const layer: Layer.Layer<ProductCatalog, never, MongoDatabase> = Layer.effect(ProductCatalog, make)
