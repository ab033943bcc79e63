import { Effect, Option, Schema } from "effect"
import { IllegalTransition, type InvalidInput, OrderNotFound, type StoreError } from "../errors.js"
import { Actor } from "../model/AuditRecord.js"
import { OrderId } from "../model/Ids.js"
import type { Invoice, InvoiceStatus, Order } from "../model/Order.js"
import type { AuditLog } from "../ports/AuditLog.js"
import { Clock } from "../ports/Clock.js"
import type { IdGenerator } from "../ports/IdGenerator.js"
import { InvoiceProvider } from "../ports/InvoiceProvider.js"
import { Metrics } from "../ports/Metrics.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import { recordAudit } from "./audit.js"
import { decodeInput } from "./decodeInput.js"

export interface InvoiceJobOptions {
  readonly limit?: number
  /** Delay after the first failure; doubles with every further attempt. */
  readonly baseDelayMs?: number
  readonly maxDelayMs?: number
  /** How long a claim holds; a crashed issuer's claim expires and another worker takes the order over. */
  readonly leaseMs?: number
}

export type InvoiceResult = "issued" | "manual" | "none" | "failed" | "skipped"

export interface InvoiceJobSummary {
  readonly issued: number
  readonly manual: number
  readonly none: number
  readonly failed: number
  /** Claimed by another worker, no longer due, or finished by another worker after our lease expired. */
  readonly skipped: number
  /** The store failed for that order; it stays due and the next run picks it up. */
  readonly errors: number
}

export type InvoiceJobServices = OrderRepository | InvoiceProvider | Metrics | Clock

const DEFAULTS = { limit: 50, baseDelayMs: 60_000, maxDelayMs: 6 * 60 * 60_000, leaseMs: 5 * 60_000 }
type Settings = typeof DEFAULTS

const settingsOf = (options: InvoiceJobOptions | undefined): Settings => ({
  limit: options?.limit ?? DEFAULTS.limit,
  baseDelayMs: options?.baseDelayMs ?? DEFAULTS.baseDelayMs,
  maxDelayMs: options?.maxDelayMs ?? DEFAULTS.maxDelayMs,
  leaseMs: options?.leaseMs ?? DEFAULTS.leaseMs,
})

/** Exponential backoff after the `attempts`-th failed attempt: base, 2·base, 4·base, … capped at max. */
export const backoffDelay = (attempts: number, baseDelayMs: number, maxDelayMs: number): number =>
  Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempts - 1))

const CLAIMABLE: ReadonlyArray<InvoiceStatus> = ["pending", "failed", "issuing"]

/** For `issuing`, nextAttemptAt is the end of the current claim's lease. */
const isDue = (invoice: Invoice, now: Date): boolean =>
  CLAIMABLE.includes(invoice.status) && (invoice.nextAttemptAt === null || invoice.nextAttemptAt <= now)

const after = (at: Date, ms: number): Date => new Date(at.getTime() + ms)

/** Claim, issue, record: the claim's conditional write makes concurrent workers take turns. */
const issueOne = (
  order: Order,
  now: Date,
  settings: Settings,
): Effect.Effect<{ readonly result: InvoiceResult; readonly order: Order }, StoreError, InvoiceJobServices> =>
  Effect.gen(function* () {
    const orders = yield* OrderRepository
    const metrics = yield* Metrics
    const skipped = { result: "skipped", order } as const
    if (!isDue(order.invoice, now)) return skipped
    // Conditional on the attempts we read too: the status alone comes back (failed → issuing → failed,
    // or a claim taken over twice), and two workers would both call the provider on one claim.
    const claimed = yield* orders.updateInvoice(
      order.id,
      [order.invoice.status],
      {
        ...order.invoice,
        status: "issuing",
        nextAttemptAt: after(now, settings.leaseMs),
        attempts: order.invoice.attempts + 1,
      },
      now,
      order.invoice.attempts,
    )
    if (Option.isNone(claimed)) return skipped
    const invoice = claimed.value.invoice
    // One key per order: a retry after a crash or an expired lease can never issue a second invoice.
    const outcome = yield* Effect.either((yield* InvoiceProvider).issue(claimed.value, `invoice:${order.id}`))
    const at = yield* (yield* Clock).now
    const settle = (result: InvoiceResult, next: Invoice) =>
      Effect.map(orders.updateInvoice(order.id, ["issuing"], next, at, invoice.attempts), (written) =>
        Option.match(written, {
          onNone: () => ({ result: "skipped" as InvoiceResult, order: claimed.value }),
          onSome: (updated) => ({ result, order: updated }),
        }),
      )
    // Taking over an expired claim: its worker may have died after the provider issued, and only the
    // provider in stripe mode answers for that key. Until it does, the order stays `issuing`: settling
    // it manual or none would leave the customer a provider invoice and a second one by hand.
    const unknownOutcome = order.invoice.status === "issuing"
    const retryLater = (result: InvoiceResult, lastError: string) =>
      settle(result, {
        ...invoice,
        status: unknownOutcome ? "issuing" : "failed",
        lastError,
        nextAttemptAt: after(at, backoffDelay(invoice.attempts, settings.baseDelayMs, settings.maxDelayMs)),
      })
    if (outcome._tag === "Left") {
      // Counted whether or not our write lands: it measures the provider's health.
      yield* metrics.invoiceIssue("failure")
      return yield* retryLater("failed", outcome.left.message)
    }
    if (unknownOutcome && outcome.right._tag !== "Issued") {
      return yield* retryLater(
        "skipped",
        `an earlier attempt may have issued; provider answered ${outcome.right._tag}`,
      )
    }
    const done = { ...invoice, lastError: null, nextAttemptAt: null }
    switch (outcome.right._tag) {
      case "Issued": {
        const { number, url } = outcome.right
        const written = yield* settle("issued", { ...done, status: "issued", number, url })
        if (written.result === "issued") yield* metrics.invoiceIssue("success")
        return written
      }
      case "Manual":
        return yield* settle("manual", { ...done, status: "manual" })
      case "None":
        return yield* settle("none", { ...done, status: "none" })
    }
  })

/**
 * The invoice job (DESIGN §5, I7): issue every due invoice once. A provider failure is stored on the
 * order with backoff and never fails the run; the run converges once the provider is healthy.
 */
export const issueInvoices = (
  options?: InvoiceJobOptions,
): Effect.Effect<InvoiceJobSummary, StoreError, InvoiceJobServices> =>
  Effect.gen(function* () {
    const settings = settingsOf(options)
    const now = yield* (yield* Clock).now
    const due = yield* (yield* OrderRepository).findInvoicesDue(now, settings.limit)
    const summary = { issued: 0, manual: 0, none: 0, failed: 0, skipped: 0, errors: 0 }
    for (const order of due) {
      const result = yield* issueOne(order, now, settings).pipe(
        Effect.map((attempt) => attempt.result),
        Effect.catchTag("StoreError", (error) =>
          Effect.as(
            Effect.logWarning(`[invoice] store failed: ${error.message}`).pipe(
              Effect.annotateLogs({ orderId: order.id }),
            ),
            "errors" as const,
          ),
        ),
      )
      summary[result] += 1
    }
    return summary
  })

export const InvoiceRetryRequest = Schema.Struct({
  orderId: OrderId,
  actor: Actor,
  reason: Schema.Trim.pipe(
    Schema.minLength(1, { message: () => "reason must not be empty" }),
    Schema.maxLength(2000, { message: () => "reason must be at most 2000 characters" }),
  ),
})

const invoiceSnapshot = (invoice: Invoice) => ({
  status: invoice.status,
  attempts: invoice.attempts,
  lastError: invoice.lastError,
  nextAttemptAt: invoice.nextAttemptAt,
})

/** Runbook scenario 2, step 2 for one order: make a failed invoice due now, audited, and try it at once. */
export const retryInvoice = (
  orderId: string,
  actor: string,
  reason: string,
  options?: InvoiceJobOptions,
): Effect.Effect<
  { readonly result: InvoiceResult; readonly order: Order },
  InvalidInput | OrderNotFound | IllegalTransition | StoreError,
  InvoiceJobServices | AuditLog | IdGenerator
> =>
  Effect.gen(function* () {
    const request = yield* decodeInput(InvoiceRetryRequest)({ orderId, actor, reason })
    const orders = yield* OrderRepository
    const load = Effect.flatMap(orders.findById(request.orderId), (found) =>
      Option.isSome(found)
        ? Effect.succeed(found.value)
        : Effect.fail(new OrderNotFound({ key: request.orderId })),
    )
    const refuse = (order: Order) =>
      new IllegalTransition({ from: `invoice.${order.invoice.status}`, action: "invoice_retry" })
    const order = yield* load
    if (order.invoice.status !== "failed") return yield* refuse(order)
    const now = yield* (yield* Clock).now
    const rescheduled = yield* orders.updateInvoice(
      order.id,
      ["failed"],
      { ...order.invoice, nextAttemptAt: now },
      now,
    )
    if (Option.isNone(rescheduled)) return yield* refuse(yield* load)
    yield* recordAudit({
      actor: request.actor,
      action: "order.invoice_retry",
      orderId: order.id,
      reason: request.reason,
      before: invoiceSnapshot(order.invoice),
      after: invoiceSnapshot(rescheduled.value.invoice),
    })
    return yield* issueOne(rescheduled.value, now, settingsOf(options))
  })
