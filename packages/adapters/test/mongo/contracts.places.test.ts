import { CouponRepositorySuite, ProductCatalogSuite } from "@settle/testkit/suites"
import { Layer } from "effect"
import { describe } from "vitest"
import * as MongoCouponRepository from "../../src/mongo/MongoCouponRepository.js"
import * as MongoProductCatalog from "../../src/mongo/MongoProductCatalog.js"
import { freshDatabaseWith, onFerretDB, serverRaces } from "../support/mongoStorage.js"

/**
 * The same contracts with places of 3 units (issue 13): the fixtures' coupons and products (10 units)
 * then keep their capacity in four places, so every hold, commit, release, read and race of the suites
 * runs across places. FerretDB keeps every owner in one document (its writes race), so not there.
 */
const UNITS_PER_PLACE = 3
const inPlaces = freshDatabaseWith({ maxPoolSize: 10, unitsPerPlace: UNITS_PER_PLACE })

describe.skipIf(onFerretDB())("places (FerretDB keeps one document per owner)", () => {
  ProductCatalogSuite.suite(
    `MongoProductCatalog, ${UNITS_PER_PLACE} units per place`,
    MongoProductCatalog.layer.pipe(Layer.provide(inPlaces)),
    serverRaces(),
  )
  CouponRepositorySuite.suite(
    `MongoCouponRepository, ${UNITS_PER_PLACE} units per place`,
    MongoCouponRepository.layer.pipe(Layer.provide(inPlaces)),
    serverRaces(),
  )
})
