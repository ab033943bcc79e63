import { ProductCatalog } from "@settle/domain"
import { I5StockConservation as I5 } from "@settle/testkit/invariants"
import { ProductCatalogSuite } from "@settle/testkit/suites"
import { Effect, Layer } from "effect"
import { describe } from "vitest"
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
})
