import { OrderStatus } from "@settle/domain"
import { Schema } from "effect"
import { AdminOrderJson } from "./orders.js"

/** `POST /api/v1/admin/payments/replay`: what the replay did, and the order after it. */
export const ReplayAnswer = Schema.Struct({
  replay: Schema.Struct({
    orderId: Schema.String,
    /** The finalization's outcome, or `session_<status>_<paymentStatus>` when the session is not paid. */
    result: Schema.String,
    status: OrderStatus,
  }),
  order: Schema.NullOr(AdminOrderJson),
})
