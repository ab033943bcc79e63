import { Clock, type Order, OrderRepository } from "@settle/domain"
import { Effect } from "effect"
import * as args from "./arguments.js"
import type { Command, CommandContext, Options, Report } from "./Command.js"
import { more, OLDER_THAN, page } from "./queryPage.js"
import { withStore } from "./store.js"
import { age, amount, cell, table } from "./table.js"
import { orderView } from "./views.js"

const ordersReport = (
  query: Readonly<Record<string, unknown>>,
  found: { readonly rows: ReadonlyArray<Order>; readonly truncated: boolean },
  text: { readonly title: string; readonly none: string; readonly next: ReadonlyArray<string> },
  columns: ReadonlyArray<readonly [string, (order: Order) => string]>,
  limit: number,
): Report => ({
  data: { ...query, count: found.rows.length, truncated: found.truncated, orders: found.rows.map(orderView) },
  text:
    found.rows.length === 0
      ? [text.none]
      : [
          text.title.replace("{n}", String(found.rows.length)),
          ...table(
            columns.map(([name]) => name),
            found.rows.map((order) => columns.map(([, value]) => value(order))),
          ),
          ...more(found.truncated, limit),
          ...text.next,
        ],
})

const runStuckPaid = async (options: Options, context: CommandContext) => {
  const olderThan = args.duration(options, "older-than", "10m")
  const limit = args.limit(options)
  return withStore(
    context,
    Effect.gen(function* () {
      const now = yield* (yield* Clock).now
      const before = new Date(now.getTime() - olderThan.ms)
      const found = page(
        yield* (yield* OrderRepository).list({ stuckPaidBefore: before, limit: limit + 1 }),
        limit,
      )
      return ordersReport(
        { olderThan: olderThan.text, updatedBefore: before.toISOString() },
        found,
        {
          title: `{n} stuck paid order(s): status "paid", webhook.processedAt null, last updated more than ${olderThan.text} ago`,
          none: `No stuck paid orders (status "paid", webhook.processedAt null) older than ${olderThan.text}.`,
          next: [
            "",
            "Runbook scenario 1: re-send the event from the Stripe dashboard, or re-trigger finalization:",
            '  pnpm ops replay --session <sessionId> --reason "<why>"   (add --dry-run first to see what it changes)',
          ],
        },
        [
          ["ORDER", (o) => o.id],
          ["SESSION", (o) => cell(o.payment.sessionId)],
          ["PAYMENT INTENT", (o) => cell(o.payment.paymentIntentId)],
          [
            "RECEIVED",
            (o) =>
              o.payment.amountReceived === null ? "-" : amount(o.payment.amountReceived, o.totals.currency),
          ],
          ["LAST EVENT", (o) => cell(o.webhook.lastEventId)],
          ["UPDATED", (o) => `${o.updatedAt.toISOString()} (${age(o.updatedAt, now)} ago)`],
        ],
        limit,
      )
    }),
  )
}

export const stuckPaid: Command = {
  name: "stuck-paid",
  summary: "paid orders whose finalization never finished (runbook scenario 1)",
  usage: "stuck-paid [--older-than 10m] [--limit 50]",
  runbook: [
    'Reconciliation & Recovery Queries, Stuck paid orders: db.orders.find({ status: "paid", "webhook.processedAt": null, updatedAt: { $lt: new Date(Date.now() - 10 * 60 * 1000) } })',
  ],
  details: ["Read-only. Newest first. Each row names the session to replay."],
  options: { ...OLDER_THAN, ...args.LIMIT_OPTION },
  examples: ["pnpm ops stuck-paid", "pnpm ops stuck-paid --older-than 1h --json"],
  run: runStuckPaid,
}

export const failedInvoices: Command = {
  name: "failed-invoices",
  summary: "orders whose invoice failed (runbook scenario 2)",
  usage: "failed-invoices [--limit 50]",
  runbook: [
    'Reconciliation & Recovery Queries, Failed invoices: db.orders.find({ "invoice.status": "failed" })',
  ],
  details: ["Read-only. Newest first, with the provider's last error and when the retry job tries again."],
  options: { ...args.LIMIT_OPTION },
  examples: ["pnpm ops failed-invoices", "pnpm ops failed-invoices --json"],
  run: async (options, context) => {
    const limit = args.limit(options)
    return withStore(
      context,
      Effect.gen(function* () {
        const found = page(
          yield* (yield* OrderRepository).list({ invoiceStatus: "failed", limit: limit + 1 }),
          limit,
        )
        return ordersReport(
          {},
          found,
          {
            title: '{n} order(s) with invoice.status "failed"',
            none: 'No orders with invoice.status "failed".',
            next: [
              "",
              "Runbook scenario 2: fix the provider (or switch INVOICE_MODE to manual/none), then",
              '  pnpm ops invoice-retry --order <orderId> --reason "<why>"   or, for all due: pnpm ops invoice-retry --reason "<why>"',
            ],
          },
          [
            ["ORDER", (o) => o.id],
            ["STATUS", (o) => o.status],
            ["ATTEMPTS", (o) => String(o.invoice.attempts)],
            ["NEXT ATTEMPT", (o) => cell(o.invoice.nextAttemptAt)],
            ["LAST ERROR", (o) => cell(o.invoice.lastError)],
          ],
          limit,
        )
      }),
    )
  },
}
