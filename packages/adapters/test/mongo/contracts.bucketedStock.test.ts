import { ProductCatalog, ProductId, Sku } from "@settle/domain"
import { aProduct, listingOf } from "@settle/testkit/fixtures"
import { I5StockConservation as I5 } from "@settle/testkit/invariants"
import { ProductCatalogSuite } from "@settle/testkit/suites"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { bucketedProductCatalog, STOCK } from "../../src/mongo/capacity/bucketedProductCatalog.js"
import { MongoDatabase } from "../../src/mongo/MongoDatabase.js"
import * as MongoStorage from "../../src/mongo/MongoStorage.js"
import { freshDatabase, onFerretDB, serverName } from "../support/mongoStorage.js"

/**
 * The products' catalog on capacity buckets, not yet the one MongoProductCatalog serves: the unchanged
 * ProductCatalog contract and I5, once with the production layout and once with 4 buckets taking 2
 * units at a time, so that nearly every hold of the suites transfers or steals. Atomic servers only:
 * on FerretDB v1 racing transfers can create units (issue 13's design, "As built"), and the catalog
 * keeps the single-document form there.
 */
const catalogWith = (bucketCount: number, chunk: number) =>
  Layer.effect(
    ProductCatalog,
    Effect.map(MongoDatabase, ({ db, traits }) =>
      bucketedProductCatalog(db, traits, { ...STOCK, bucketCount, chunk }),
    ),
  )

describe.skipIf(onFerretDB())(`stock on capacity buckets (${serverName()})`, () => {
  for (const [bucketCount, chunk] of [
    [STOCK.bucketCount, STOCK.chunk],
    [4, 2],
  ] as const) {
    const catalog = catalogWith(bucketCount, chunk)
    ProductCatalogSuite.suite(
      `bucketed catalog, K=${bucketCount} chunk=${chunk}`,
      catalog.pipe(Layer.provide(freshDatabase)),
    )
    I5.suite(
      `bucketed catalog, K=${bucketCount} chunk=${chunk}`,
      Layer.merge(MongoStorage.layer, catalog).pipe(Layer.provide(freshDatabase)),
      { runs: 2, slowdown: 100 },
    )
  }

  it("answers a product whose stored counters are malformed with StoreError, though its stock is summed; its listing reads no counter", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase
        const catalog = yield* ProductCatalog
        const product = aProduct({ id: ProductId.make("prd_broken"), sku: Sku.make("BROKEN-1") })
        const { id, ...fields } = product
        yield* Effect.promise(() =>
          db
            .collection<{ _id: string; [field: string]: unknown }>("products")
            .insertOne({ ...fields, _id: id, stock: { available: "3" } }),
        )
        const tagOf = <A, R>(read: Effect.Effect<A, { readonly _tag: string }, R>) =>
          Effect.match(read, { onFailure: (e) => e._tag, onSuccess: () => "succeeded" })
        expect(yield* tagOf(catalog.findById(product.id))).toBe("StoreError")
        expect(yield* catalog.findBySkus([product.sku])).toEqual([listingOf(product)])
        expect(yield* tagOf(catalog.list())).toBe("StoreError")
      }).pipe(Effect.provide(Layer.provideMerge(catalogWith(4, 2), freshDatabase))),
    ))
})
