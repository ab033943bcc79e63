import {
  Clock,
  CouponRepository,
  CouponReservationRepository,
  OrderRepository,
  WebhookEventInbox,
} from "@settle/domain"
import { Effect, Option } from "effect"
import * as args from "./arguments.js"
import type { Command } from "./Command.js"
import { more, OLDER_THAN, page } from "./queryPage.js"
import { withStore } from "./store.js"
import { age, cell, table } from "./table.js"
import { eventView, reservationView } from "./views.js"

export const stuckReservations: Command = {
  name: "stuck-reservations",
  summary: "coupon reservations still reserved past their expiry (runbook scenario 3)",
  usage: "stuck-reservations [--limit 50]",
  runbook: [
    'Reconciliation & Recovery Queries, Coupon reservations stuck: db.couponreservations.find({ status: "reserved", expiresAt: { $lt: new Date() } })',
  ],
  details: [
    "Read-only. Oldest expiry first, with the coupon's code and the order's status, which decides what",
    "the expiry job does with it (a paid or confirmed order redeems it, any other gives the unit back).",
  ],
  options: { ...args.LIMIT_OPTION },
  examples: ["pnpm ops stuck-reservations", "pnpm ops stuck-reservations --json"],
  run: async (options, context) => {
    const limit = args.limit(options)
    return withStore(
      context,
      Effect.gen(function* () {
        const now = yield* (yield* Clock).now
        const found = page(yield* (yield* CouponReservationRepository).findLeaked(now, limit + 1), limit)
        const orders = yield* OrderRepository
        const coupons = yield* CouponRepository
        const rows = yield* Effect.forEach(found.rows, (reservation) =>
          Effect.map(
            Effect.all({
              order: orders.findById(reservation.orderId),
              coupon: coupons.findById(reservation.couponId),
            }),
            ({ order, coupon }) => ({
              reservation,
              view: reservationView(
                reservation,
                Option.getOrNull(Option.map(coupon, (c) => c.code)),
                Option.getOrNull(Option.map(order, (o) => o.status)),
              ),
            }),
          ),
        )
        const data = {
          asOf: now.toISOString(),
          count: rows.length,
          truncated: found.truncated,
          reservations: rows.map((row) => row.view),
        }
        if (rows.length === 0)
          return { data, text: ["No coupon reservations reserved past their expiresAt."] }
        return {
          data,
          text: [
            `${rows.length} coupon reservation(s) still "reserved" past expiresAt`,
            ...table(
              ["COUPON", "ORDER", "ORDER STATUS", "EXPIRED AT"],
              rows.map(({ reservation, view }) => [
                view.couponCode ?? reservation.couponId,
                reservation.orderId,
                view.orderStatus ?? "(order missing)",
                `${reservation.expiresAt.toISOString()} (${age(reservation.expiresAt, now)} ago)`,
              ]),
            ),
            ...more(found.truncated, limit),
            "",
            "Runbook scenario 3: let the expiry job settle them, then check the coupon counters:",
            '  pnpm ops expire-reservations --reason "<why>"   then   pnpm ops repair-reservations --reason "<why>"',
          ],
        }
      }),
    )
  },
}

export const unfinalizedEvents: Command = {
  name: "unfinalized-events",
  summary: "Stripe events received but not processed (runbook scenario 4)",
  usage: "unfinalized-events [--older-than 10m] [--limit 50]",
  runbook: [
    'Reconciliation & Recovery Queries, Webhook events received but not finalized: db.stripewebhookevents.find({ status: { $ne: "processed" }, createdAt: { $lt: new Date(Date.now() - 10 * 60 * 1000) } })',
  ],
  details: ["Read-only. Oldest first, with the attempts so far and the last error recorded."],
  options: { ...OLDER_THAN, ...args.LIMIT_OPTION },
  examples: ["pnpm ops unfinalized-events", "pnpm ops unfinalized-events --older-than 1h --json"],
  run: async (options, context) => {
    const olderThan = args.duration(options, "older-than", "10m")
    const limit = args.limit(options)
    return withStore(
      context,
      Effect.gen(function* () {
        const now = yield* (yield* Clock).now
        const before = new Date(now.getTime() - olderThan.ms)
        const found = page(yield* (yield* WebhookEventInbox).findUnfinalized(before, limit + 1), limit)
        const events = found.rows.map(eventView)
        const data = {
          olderThan: olderThan.text,
          createdBefore: before.toISOString(),
          count: events.length,
          truncated: found.truncated,
          events,
        }
        if (events.length === 0) {
          return { data, text: [`No webhook events left unprocessed for more than ${olderThan.text}.`] }
        }
        return {
          data,
          text: [
            `${events.length} webhook event(s) not processed, received more than ${olderThan.text} ago`,
            ...table(
              ["EVENT", "TYPE", "STATUS", "ATTEMPTS", "ORDER", "RECEIVED", "LAST ERROR"],
              found.rows.map((event) => [
                event.stripeEventId,
                event.type,
                event.status,
                String(event.attempts),
                cell(event.orderId),
                `${event.createdAt.toISOString()} (${age(event.createdAt, now)} ago)`,
                cell(event.lastError),
              ]),
            ),
            ...more(found.truncated, limit),
            "",
            "Runbook scenario 4: re-send failed deliveries from the Stripe dashboard, or replay one by its id:",
            '  pnpm ops replay --event <stripeEventId> --reason "<why>"',
            ...(events.some((event) => event.amountMismatch)
              ? [
                  "Except those with LAST ERROR amount_mismatch: potential fraud, never retried (runbook, Operational",
                  "Principles); their orders wait in payment_review for a human.",
                ]
              : []),
            ...(events.some((event) => event.acknowledged !== null)
              ? [
                  "Those with LAST ERROR undecodable: or orphaned: were acknowledged, so Stripe will not resend them:",
                  "compare each with the Stripe dashboard; an orphaned one names an order Settle never had.",
                ]
              : []),
          ],
        }
      }),
    )
  },
}
