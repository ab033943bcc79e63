import { OrderRepositorySuite } from "@settle/testkit/suites"
import { Layer } from "effect"
import * as MongoOrderRepository from "../../src/mongo/MongoOrderRepository.js"
import { freshDatabase, onFerretDB } from "../support/mongoStorage.js"

// On FerretDB the concurrency tests assert only what its racing conditional writes keep (see
// ferretdbLimits.test.ts); on a real MongoDB (MONGO_URL) they assert the full contract.
OrderRepositorySuite.suite(
  "MongoOrderRepository",
  MongoOrderRepository.layer.pipe(Layer.provide(freshDatabase)),
  {
    serverRacesConditionalWrites: onFerretDB(),
  },
)
