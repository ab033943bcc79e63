import {
  Clock,
  decodeInput,
  IllegalTransition,
  InvoiceProvider,
  InvoiceRetryRequest,
  OrderId,
  OrderNotFound,
  OrderRepository,
  retryInvoice,
} from "@settle/domain"
import { Effect, Option } from "effect"
import { countsOf } from "../jobs/catalog.js"
import * as args from "./arguments.js"
import type { Command, Report } from "./Command.js"
import { leasedRun } from "./jobRuns.js"
import { auditLine, logStep, recoveryReport } from "./recovery.js"
import { applied } from "./rehearsal.js"
import { orderScope, scopeOfOrder, union } from "./snapshot.js"
import { storeConfig, withStore } from "./store.js"
import { cell, table } from "./table.js"
import { orderView } from "./views.js"

/** How many due invoices one run of the job takes on; the same default as the server's job. */
const JOB_BATCH = 50

/**
 * Issuing reaches the invoice provider, which a rehearsal cannot stand in for: the dry run instead
 * checks what the real run would refuse and names the invoice it would try, and the provider mode.
 */
const planOne = (orderId: OrderId, actor: string, reason: string) =>
  Effect.gen(function* () {
    yield* decodeInput(InvoiceRetryRequest)({ orderId, actor, reason })
    const found = yield* (yield* OrderRepository).findById(orderId)
    if (Option.isNone(found)) return yield* new OrderNotFound({ key: orderId })
    const order = found.value
    if (order.invoice.status !== "failed") {
      return yield* new IllegalTransition({
        from: `invoice.${order.invoice.status}`,
        action: "invoice_retry",
      })
    }
    const mode = yield* (yield* InvoiceProvider).mode
    return {
      data: { dryRun: true, orderId, mode, order: orderView(order), changes: [] },
      text: [
        "DRY RUN: nothing was written and the invoice provider was not called.",
        `Would make the failed invoice of order ${orderId} due now (attempts ${order.invoice.attempts}, last error: ${order.invoice.lastError ?? "-"})`,
        `and issue it once in ${mode} mode with idempotency key invoice:${orderId}.`,
        `Would record audit order.invoice_retry by ${actor}: ${reason}`,
      ],
    } satisfies Report
  })

const planJob = Effect.gen(function* () {
  const now = yield* (yield* Clock).now
  const due = yield* (yield* OrderRepository).findInvoicesDue(now, JOB_BATCH)
  const mode = yield* (yield* InvoiceProvider).mode
  return {
    data: { dryRun: true, mode, due: due.map(orderView), changes: [] },
    text: [
      "DRY RUN: nothing was written and the invoice provider was not called.",
      due.length === 0
        ? "No invoices are due: the job would do nothing."
        : `The invoice job would try ${due.length} due invoice(s), one order at a time, in ${mode} mode:`,
      ...(due.length === 0
        ? []
        : table(
            ["ORDER", "INVOICE", "ATTEMPTS", "DUE SINCE", "LAST ERROR"],
            due.map((o) => [
              o.id,
              o.invoice.status,
              String(o.invoice.attempts),
              cell(o.invoice.nextAttemptAt),
              cell(o.invoice.lastError),
            ]),
          )),
    ],
  } satisfies Report
})

const retryOne = (orderId: OrderId, actor: string, reason: string) =>
  Effect.flatMap(scopeOfOrder(orderId), (scope) =>
    applied(
      scope,
      Effect.tap(retryInvoice(orderId, actor, reason), (retried) =>
        logStep("invoice-retry", `invoice retried: ${retried.result}`, { orderId }),
      ),
    ),
  )

/** The job as a replica runs it, under its lease, over the invoices due now (a snapshot of them for the report). */
const runJob = (actor: string, reason: string, leaseMs: number) =>
  Effect.gen(function* () {
    const now = yield* (yield* Clock).now
    const due = yield* (yield* OrderRepository).findInvoicesDue(now, JOB_BATCH)
    return yield* applied(union(due.map(orderScope)), leasedRun("invoice-retry", actor, reason, leaseMs))
  })

export const invoiceRetry: Command = {
  name: "invoice-retry",
  summary: "retry one failed invoice now, or run the invoice retry job (runbook scenario 2)",
  usage: 'invoice-retry [--order <orderId>] --reason "<why>" [--dry-run]',
  runbook: [
    'Scenario 2, Recovery: "1) Fix provider availability/credentials. 2) Re-run invoice retry job. 3) Spot-check new invoices on affected orders."',
    'Scenario 2, Immediate mitigation: "If provider outage, switch to manual or none temporarily."',
  ],
  details: [
    "With --order: that order's failed invoice is made due now and issued once (idempotency key",
    "invoice:<orderId>, so it can never be issued twice); refused unless invoice.status is failed.",
    "Without: the invoice job runs once, order by order, over the due invoices (up to 50).",
    "Audited: order.invoice_retry for one order; a job run takes the job's lease as a replica would",
    "(JOB_BUSY while another run holds it) and is audited as job.run. The provider mode in force is",
    "the server's: the mode an operator switched to, else INVOICE_MODE.",
  ],
  options: {
    order: { type: "string", placeholder: "orderId", description: "retry only this order's failed invoice" },
    ...args.REASON_OPTION,
    ...args.MUTATION_OPTIONS,
  },
  examples: [
    'pnpm ops invoice-retry --order ord_123 --reason "INC-7: provider back up" --dry-run',
    'pnpm ops invoice-retry --reason "INC-7: provider back up, re-running the retry job"',
  ],
  run: async (options, context) => {
    const orderId = args.id(options, "order", OrderId)
    const actor = args.actor(options, context.env)
    const reason = args.reason(options)
    const dryRun = args.flag(options, "dry-run")
    if (orderId !== undefined && dryRun) return withStore(context, planOne(orderId, actor, reason))
    if (orderId !== undefined) {
      return recoveryReport(false, await withStore(context, retryOne(orderId, actor, reason)), (retried) => ({
        data: { orderId, actor, reason, result: retried.result, invoice: orderView(retried.order).invoice },
        text: [
          `Retried the invoice of order ${orderId}: ${retried.result}; invoice.status is now ${retried.order.invoice.status}.`,
        ],
      }))
    }
    if (dryRun) return withStore(context, planJob)
    return recoveryReport(
      false,
      await withStore(context, runJob(actor, reason, storeConfig(context).jobLeaseMs)),
      ({ report, audit }) => ({
        data: { actor, reason, job: "invoice-retry", report },
        text: [`Ran the invoice job: ${countsOf(report)}`, auditLine(audit, false)],
      }),
    )
  },
}
