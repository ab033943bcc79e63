import {
  BadInput,
  I1ExactlyOnceFinalization as I1,
  I2AmountVerification as I2,
  I3CouponCapacity as I3,
  I4ReservationExpiry as I4,
  I5StockConservation as I5,
  I6RefundBounds as I6,
  I7InvoiceOnce as I7,
  I8AuditTrail as I8,
} from "@settle/testkit/invariants"
import { Layer } from "effect"
import * as MongoStorage from "../../src/mongo/MongoStorage.js"
import { freshDatabaseWith, onFerretDB } from "../support/mongoStorage.js"

/**
 * The same invariant properties as on the memory adapters, on the real store. Every property run
 * builds a fresh database, so runs are few by default; SETTLE_MONGO_PROPERTY_RUNS raises them.
 */
const runs = Number.parseInt(process.env.SETTLE_MONGO_PROPERTY_RUNS ?? "2", 10)
// A property run here costs up to about 30 times a run on the memory stores, where the per-run timeout
// budgets were measured (on FerretDB; the worst are I1's racing deliveries and I3's 200 checkouts):
// every run creates, indexes and drops a database, and every port call is a round trip. 100 leaves room
// for the larger values later runs draw; the timeouts then cover SETTLE_MONGO_PROPERTY_RUNS unaided.
const slowdown = 100
// FerretDB v1 races conditional writes (#3040) but serves one connection's requests in order: on it the
// properties run over a one-connection pool, so interleavings between port calls are still explored
// while each write is applied alone. On mongo-java-server and MongoDB they run over a normal pool.
const storage = MongoStorage.layer.pipe(
  Layer.provide(freshDatabaseWith({ maxPoolSize: onFerretDB() ? 1 : 10 })),
)

I1.suite("mongo: I1 exactly-once finalization", storage, { runs, slowdown })
I2.suite("mongo: I2 amount verification", storage, { runs, slowdown })
I3.suite("mongo: I3 coupon capacity", storage, { runs, slowdown })
I4.suite("mongo: I4 reservation expiry", storage, { runs, slowdown })
I5.suite("mongo: I5 stock conservation", storage, { runs, slowdown })
BadInput.suite("mongo: I5 bad input", storage, { runs, slowdown })
I6.suite("mongo: I6 refund bounds", storage, { runs, slowdown, replayPinnedSchedules: false })
I7.suite("mongo: I7 invoice once", storage, { runs, slowdown, replayPinnedSchedules: false })
I8.suite("mongo: I8 audit trail", storage, { runs, slowdown })
