import {
  CouponRepositorySuite,
  CouponReservationRepositorySuite,
  ProductCatalogSuite,
} from "@settle/testkit/suites"
import { Layer } from "effect"
import * as MongoCouponRepository from "../../src/mongo/MongoCouponRepository.js"
import * as MongoCouponReservationRepository from "../../src/mongo/MongoCouponReservationRepository.js"
import * as MongoProductCatalog from "../../src/mongo/MongoProductCatalog.js"
import { freshDatabase, onFerretDB } from "../support/mongoStorage.js"

// FerretDB v1 races conditional writes on one document (ferretdbRaces.test.ts shows it with the bare
// driver), so there the suites' concurrency tests assert only what such a server keeps and say so
// in their titles. Against a real MongoDB (MONGO_URL) every test is enforced in full.
const options = { serverRacesConditionalWrites: onFerretDB() }

ProductCatalogSuite.suite(
  "MongoProductCatalog",
  MongoProductCatalog.layer.pipe(Layer.provide(freshDatabase)),
  options,
)
CouponRepositorySuite.suite(
  "MongoCouponRepository",
  MongoCouponRepository.layer.pipe(Layer.provide(freshDatabase)),
  options,
)
CouponReservationRepositorySuite.suite(
  "MongoCouponReservationRepository",
  MongoCouponReservationRepository.layer.pipe(Layer.provide(freshDatabase)),
  options,
)
