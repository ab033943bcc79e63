import { I3CouponCapacity as I3, I5StockConservation as I5 } from "@settle/testkit/invariants"
import { Layer } from "effect"
import { describe } from "vitest"
import * as MongoStorage from "../../src/mongo/MongoStorage.js"
import { freshDatabaseWith, onFerretDB } from "../support/mongoStorage.js"

/**
 * I3 and I5 with places of 2 units (issue 13): nearly every coupon and product the properties draw then
 * keeps its capacity in several places, opened, topped up and exhausted by the checkouts, payments,
 * expiries, crashes and repairs the properties run. Runs and timeouts as in invariants.test.ts.
 */
const runs = Number.parseInt(process.env.SETTLE_MONGO_PROPERTY_RUNS ?? "2", 10)
const slowdown = 100
const storage = MongoStorage.layer.pipe(
  Layer.provide(freshDatabaseWith({ maxPoolSize: 10, unitsPerPlace: 2 })),
)

describe.skipIf(onFerretDB())("places of 2 units (FerretDB keeps one document per owner)", () => {
  I3.suite("mongo: I3 coupon capacity, 2 units per place", storage, { runs, slowdown })
  I5.suite("mongo: I5 stock conservation, 2 units per place", storage, { runs, slowdown })
})
