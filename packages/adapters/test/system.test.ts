import { ClockSuite, IdGeneratorSuite } from "@settle/testkit/suites"
import * as RandomIds from "../src/system/RandomIds.js"
import * as SystemClock from "../src/system/SystemClock.js"

ClockSuite.suite("SystemClock", SystemClock.layer)
IdGeneratorSuite.suite("RandomIds", RandomIds.layer)
