import { suite as exactlyOnceFinalization } from "../../src/invariants/I1ExactlyOnceFinalization.js"
import { suite as amountVerification } from "../../src/invariants/I2AmountVerification.js"
import { memoryStorage } from "../../src/world.js"

exactlyOnceFinalization("memory", memoryStorage)
amountVerification("memory", memoryStorage)
