import { OrderRepositorySuite } from "@settle/testkit/suites"
import { Layer } from "effect"
import * as MongoOrderRepository from "../../src/mongo/MongoOrderRepository.js"
import { freshDatabase, serverRaces } from "../support/mongoStorage.js"

// On FerretDB the concurrency tests assert only what its racing conditional writes keep (see
// ferretdbRaces.test.ts); on mongo-java-server and MongoDB they assert the full contract.
OrderRepositorySuite.suite(
  "MongoOrderRepository",
  MongoOrderRepository.layer.pipe(Layer.provide(freshDatabase)),
  serverRaces(),
)
