import { I9IdempotentCheckout as I9 } from "@settle/testkit/invariants"
import { Layer } from "effect"
import * as MongoStorage from "../../src/mongo/MongoStorage.js"
import { freshDatabaseWith, onFerretDB } from "../support/mongoStorage.js"

// As invariants.test.ts runs I1-I8: few runs (SETTLE_MONGO_PROPERTY_RUNS raises them), a one-connection
// pool on FerretDB, whose conditional writes race (#3040).
const runs = Number.parseInt(process.env.SETTLE_MONGO_PROPERTY_RUNS ?? "2", 10)
const storage = MongoStorage.layer.pipe(
  Layer.provide(freshDatabaseWith({ maxPoolSize: onFerretDB() ? 1 : 10 })),
)

I9.suite("mongo", storage, { runs, slowdown: 100 })
