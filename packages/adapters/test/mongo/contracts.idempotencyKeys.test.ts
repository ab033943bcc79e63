import { IdempotencyKeysSuite } from "@settle/testkit/suites"
import { Layer } from "effect"
import * as MongoIdempotencyKeys from "../../src/mongo/MongoIdempotencyKeys.js"
import { freshDatabase } from "../support/mongoStorage.js"

// No relaxed variant on FerretDB: every claim is a unique-key insert, which FerretDB applies
// atomically, so the suite's races assert exactly one owner on every server.
IdempotencyKeysSuite.suite(
  "MongoIdempotencyKeys",
  MongoIdempotencyKeys.layer.pipe(Layer.provide(freshDatabase)),
)
