import { Layer } from "effect"
import * as BadInput from "../../../testkit/src/invariants/BadInput.js"
import * as I1 from "../../../testkit/src/invariants/I1ExactlyOnceFinalization.js"
import * as I2 from "../../../testkit/src/invariants/I2AmountVerification.js"
import * as I3 from "../../../testkit/src/invariants/I3CouponCapacity.js"
import * as I4 from "../../../testkit/src/invariants/I4ReservationExpiry.js"
import * as I5 from "../../../testkit/src/invariants/I5StockConservation.js"
import * as I6 from "../../../testkit/src/invariants/I6RefundBounds.js"
import * as I7 from "../../../testkit/src/invariants/I7InvoiceOnce.js"
import * as I8 from "../../../testkit/src/invariants/I8AuditTrail.js"
import * as MongoStorage from "../../src/mongo/MongoStorage.js"
import { freshDatabaseWith, onFerretDB } from "../support/mongoStorage.js"

/**
 * The same invariant properties as on the memory adapters, on the real store. Every property run
 * builds a fresh database, so runs are few by default; SETTLE_MONGO_PROPERTY_RUNS raises them.
 */
const runs = Number.parseInt(process.env.SETTLE_MONGO_PROPERTY_RUNS ?? "2", 10)
// FerretDB v1 races conditional writes (#3040) but serves one connection's requests in order: on it the
// properties run over a one-connection pool, so interleavings between port calls are still explored
// while each write is applied alone. On a real MongoDB (MONGO_URL) they run over a normal pool.
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
