import { memoryStorage } from "../../src/index.js"
import * as BadInput from "../../src/invariants/BadInput.js"
import * as I3CouponCapacity from "../../src/invariants/I3CouponCapacity.js"
import * as I4ReservationExpiry from "../../src/invariants/I4ReservationExpiry.js"
import * as I5StockConservation from "../../src/invariants/I5StockConservation.js"

I3CouponCapacity.suite("memory", memoryStorage)
I4ReservationExpiry.suite("memory", memoryStorage)
I5StockConservation.suite("memory", memoryStorage)
BadInput.suite("memory", memoryStorage)
