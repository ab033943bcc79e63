import { memoryStorage } from "../../src/index.js"
import { suite as exactlyOnceFinalization } from "../../src/invariants/I1ExactlyOnceFinalization.js"
import { suite as amountVerification } from "../../src/invariants/I2AmountVerification.js"

exactlyOnceFinalization("memory", memoryStorage)
amountVerification("memory", memoryStorage)
