import { Context, type Effect } from "effect"

/** `orphaned`: acknowledged without an order, once the order could no longer appear. */
export type WebhookMetricStatus = "received" | "processed" | "error" | "retry" | "duplicate" | "orphaned"

/** The runbook's counters, by intent; adapters map them to prom-client names. Never fails. */
export interface Metrics {
  /** webhook_events_total{status,type} */
  readonly webhookEvent: (status: WebhookMetricStatus, type: string) => Effect.Effect<void>
  /** checkout_attempts_total */
  readonly checkoutAttempt: Effect.Effect<void>
  /** checkout_failures_total{reason} */
  readonly checkoutFailure: (reason: string) => Effect.Effect<void>
  /** refund_operations_total{status} */
  readonly refundOperation: (status: "success" | "failure") => Effect.Effect<void>
  /** invoice_issue_total{status} */
  readonly invoiceIssue: (status: "success" | "failure") => Effect.Effect<void>
  /** payment_review_total{reason}: amount mismatches and unhonorable late payments; alerts on any. */
  readonly paymentReview: (reason: string) => Effect.Effect<void>
}

export const Metrics = Context.GenericTag<Metrics>("@settle/domain/Metrics")
