import { WebhookEventStatus } from "@settle/domain"
import { Schema } from "effect"
import { Count, IsoDateTime } from "./common.js"

/** An inbox record as the runbook's scenario 4 inspects it; the payload stays inside. */
export const WebhookEventJson = Schema.Struct({
  stripeEventId: Schema.String,
  type: Schema.String,
  status: WebhookEventStatus,
  attempts: Count,
  lastError: Schema.NullOr(Schema.String),
  orderId: Schema.NullOr(Schema.String),
  createdAt: IsoDateTime,
}).annotations({ identifier: "WebhookEvent" })
export type WebhookEventJson = typeof WebhookEventJson.Type

/** `GET /api/v1/admin/health/orders`: the runbook's order-health panels in one read. */
export const OrderHealthAnswer = Schema.Struct({
  checkedAt: IsoDateTime,
  paidUnconfirmed: Count,
  invoiceFailed: Count,
  couponReservationLeaks: Count,
  webhookEventsUnfinalized: Count,
  webhookEventsUnfinalizedCapped: Schema.Boolean,
  oldestUnfinalizedWebhookEvents: Schema.Array(WebhookEventJson),
})
