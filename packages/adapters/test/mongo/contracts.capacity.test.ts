import {
  CouponRepositorySuite,
  CouponReservationRepositorySuite,
  ProductCatalogSuite,
} from "@settle/testkit/suites"
import { Layer } from "effect"
import * as MongoCouponRepository from "../../src/mongo/MongoCouponRepository.js"
import * as MongoCouponReservationRepository from "../../src/mongo/MongoCouponReservationRepository.js"
import * as MongoProductCatalog from "../../src/mongo/MongoProductCatalog.js"
import { freshDatabase, serverRaces } from "../support/mongoStorage.js"

// Only on FerretDB v1 do the concurrency tests assert less, and say so in their titles (serverRaces).
const options = serverRaces()

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
