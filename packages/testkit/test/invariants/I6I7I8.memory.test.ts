import { memoryStorage } from "../../src/index.js"
import * as I6RefundBounds from "../../src/invariants/I6RefundBounds.js"
import * as I7InvoiceOnce from "../../src/invariants/I7InvoiceOnce.js"
import * as I8AuditTrail from "../../src/invariants/I8AuditTrail.js"

I6RefundBounds.suite("I6 refund bounds (memory)", memoryStorage)
I7InvoiceOnce.suite("I7 one invoice per order (memory)", memoryStorage)
I8AuditTrail.suite("I8 audit trail, no bulk edits (memory)", memoryStorage)
