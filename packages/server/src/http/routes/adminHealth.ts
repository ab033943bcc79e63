import {
  Clock,
  CouponReservationRepository,
  DEFAULT_STALE_AFTER_MS,
  OrderRepository,
  WebhookEventInbox,
} from "@settle/domain"
import { Effect } from "effect"
import { defineRoute } from "../contract/route.js"
import { respond } from "../respond.js"
import { OrderHealthAnswer } from "../schemas/health.js"
import { webhookEventView } from "./adminOrderViews.js"

/**
 * The inbox port lists unfinalized events rather than counting them, so the count reads at most this
 * many (and says when it hit the cap); past it an outage is obvious and the exact figure is moot.
 */
const UNFINALIZED_COUNT_CAP = 1000
/** The oldest unfinalized events shown by id, for a replay by stripeEventId (runbook scenario 4). */
const UNFINALIZED_SHOWN = 10

/** The runbook's "Order health" panels and its "received but not finalized" query, in one read. */
const orderHealth = Effect.gen(function* () {
  const now = yield* (yield* Clock).now
  const before = new Date(now.getTime() - DEFAULT_STALE_AFTER_MS)
  const { orders, leaks, unfinalized } = yield* Effect.all(
    {
      orders: Effect.flatMap(OrderRepository, (repository) => repository.health()),
      leaks: Effect.flatMap(CouponReservationRepository, (reservations) => reservations.countLeaked(now)),
      unfinalized: Effect.flatMap(WebhookEventInbox, (inbox) =>
        inbox.findUnfinalized(before, UNFINALIZED_COUNT_CAP),
      ),
    },
    { concurrency: "unbounded" },
  )
  return { now, orders, leaks, unfinalized }
})

export const orderHealthRoute = defineRoute({
  method: "get",
  path: "/api/v1/admin/health/orders",
  operationId: "adminOrderHealth",
  summary: "The runbook's order-health queries in one read",
  tags: ["admin: health"],
  auth: "admin",
  responses: {
    200: { description: "The counts, and the oldest unfinalized webhook events", schema: OrderHealthAnswer },
  },
  handler: (ctx, deps) =>
    respond(ctx, deps.runtime, orderHealth, 200, ({ now, orders, leaks, unfinalized }) => ({
      checkedAt: now.toISOString(),
      // status paid and webhook.processedAt null (runbook scenario 1).
      paidUnconfirmed: orders.paidUnconfirmed,
      // invoice.status failed (scenario 2).
      invoiceFailed: orders.invoiceFailed,
      // reserved reservations past expiresAt (scenario 3).
      couponReservationLeaks: leaks,
      // stripewebhookevents not processed, created over 10 minutes ago (scenario 4).
      webhookEventsUnfinalized: unfinalized.length,
      webhookEventsUnfinalizedCapped: unfinalized.length >= UNFINALIZED_COUNT_CAP,
      oldestUnfinalizedWebhookEvents: unfinalized.slice(0, UNFINALIZED_SHOWN).map(webhookEventView),
    })),
})

export const adminHealthRoutes = [orderHealthRoute]
