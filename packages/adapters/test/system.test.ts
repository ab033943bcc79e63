import { suite as clockSuite } from "../../testkit/src/suites/ClockSuite.js"
import { suite as idSuite } from "../../testkit/src/suites/IdGeneratorSuite.js"
import * as RandomIds from "../src/system/RandomIds.js"
import * as SystemClock from "../src/system/SystemClock.js"

clockSuite("SystemClock", SystemClock.layer)
idSuite("RandomIds", RandomIds.layer)
