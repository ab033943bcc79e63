import { Schema } from "effect"
import { AdminOrderJson } from "./orders.js"
import { RefundJson } from "./refunds.js"

/** `POST /api/v1/admin/orders/:id/review/accept`; a repeat answers `already_accepted`. */
export const ReviewAcceptAnswer = Schema.Struct({
  result: Schema.Literal("accepted", "already_accepted"),
  order: AdminOrderJson,
})

/** `POST /api/v1/admin/orders/:id/review/refund`; a repeat answers `already_refunded`. */
export const ReviewRefundAnswer = Schema.Struct({
  result: Schema.Literal("refunded", "already_refunded"),
  refund: RefundJson,
  order: AdminOrderJson,
})
