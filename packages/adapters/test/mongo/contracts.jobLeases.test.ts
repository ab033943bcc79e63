import { JobLeasesSuite } from "@settle/testkit/suites"
import { Layer } from "effect"
import * as MongoJobLeases from "../../src/mongo/MongoJobLeases.js"
import { freshDatabase } from "../support/mongoStorage.js"

// No relaxed variant on FerretDB: the adapter's only conditional write is a unique-key insert, which
// FerretDB applies atomically, so the suite's races assert exactly one winner on every server.
JobLeasesSuite.suite("MongoJobLeases", MongoJobLeases.layer.pipe(Layer.provide(freshDatabase)))
