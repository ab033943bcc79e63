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
// FerretDB v1 races conditional writes (#3040) but serves one connection's requests in order: on it the
// properties run over a one-connection pool, so interleavings between port calls are still explored
// while each write is applied alone. On mongo-java-server and MongoDB they run over a normal pool.
const storage = MongoStorage.layer.pipe(
  Layer.provide(freshDatabaseWith({ maxPoolSize: onFerretDB() ? 1 : 10 })),
)

I1.suite("mongo: I1 exactly-once finalization", storage, { runs })
I2.suite("mongo: I2 amount verification", storage, { runs })
I3.suite("mongo: I3 coupon capacity", storage, { runs })
I4.suite("mongo: I4 reservation expiry", storage, { runs })
I5.suite("mongo: I5 stock conservation", storage, { runs })
BadInput.suite("mongo: I5 bad input", storage, { runs })
I6.suite("mongo: I6 refund bounds", storage, { runs, replayPinnedSchedules: false })
I7.suite("mongo: I7 invoice once", storage, { runs, replayPinnedSchedules: false })
I8.suite("mongo: I8 audit trail", storage, { runs })
