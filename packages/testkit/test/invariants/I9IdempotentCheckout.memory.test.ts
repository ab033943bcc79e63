import { memoryStorage } from "../../src/index.js"
import * as I9IdempotentCheckout from "../../src/invariants/I9IdempotentCheckout.js"

I9IdempotentCheckout.suite("memory", memoryStorage)
