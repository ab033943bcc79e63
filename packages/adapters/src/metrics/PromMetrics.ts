import { Metrics } from "@settle/domain"
import { Context, Effect, Layer } from "effect"
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client"
import { registerScrapeGauge } from "./gauges.js"
import { HttpDurations } from "./httpDurations.js"
import {
  ACTED_ON_EVENT_TYPES,
  bounded,
  CHECKOUT_FAILURE_REASONS,
  PAYMENT_REVIEW_REASONS,
  WEBHOOK_EVENT_TYPES,
} from "./labels.js"
import { PrometheusRegistry } from "./PrometheusRegistry.js"

export interface PromMetricsOptions {
  /** Label values kept on top of the built-in sets (labels.ts); anything else is counted as "other". */
  readonly webhookEventTypes?: Iterable<string>
  readonly checkoutFailureReasons?: Iterable<string>
  readonly paymentReviewReasons?: Iterable<string>
}

/**
 * Edges at the runbook's baselines (p95 < 300 ms, p99 < 800 ms) so histogram_quantile is exact where
 * the alerts look, with a coarse tail up to Stripe's and Render's ~30 s timeouts.
 */
export const HTTP_DURATION_BUCKETS: ReadonlyArray<number> = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.8, 1, 2, 5, 10, 30,
]

const WEBHOOK_STATUSES = ["received", "processed", "error", "retry", "duplicate", "orphaned"] as const
const OUTCOMES = ["success", "failure"] as const

const counter = (register: Registry, name: string, help: string, labelNames: ReadonlyArray<string> = []) =>
  new Counter({ name, help, labelNames, registers: [register] })

type HttpDurationHistogram = Histogram<"method" | "route" | "status">

/** http_request_duration_seconds in `register`; `collect` fills it at scrape time. */
export const httpDurationHistogram = (
  register: Registry,
  collect?: (this: HttpDurationHistogram) => void,
): HttpDurationHistogram =>
  new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration in seconds, by method, route template and status.",
    labelNames: ["method", "route", "status"],
    buckets: [...HTTP_DURATION_BUCKETS],
    registers: [register],
    ...(collect === undefined ? {} : { collect }),
  })

/** Builds one registry with the runbook's counters; each call is independent of every other. */
export const make = (options: PromMetricsOptions = {}): Context.Context<Metrics | PrometheusRegistry> => {
  const register = new Registry()
  collectDefaultMetrics({ register })

  const webhookEvents = counter(
    register,
    "webhook_events_total",
    "Stripe webhook events by processing status and event type.",
    ["status", "type"],
  )
  const checkoutAttempts = counter(register, "checkout_attempts_total", "Checkout requests received.")
  const checkoutFailures = counter(register, "checkout_failures_total", "Checkouts that failed, by error.", [
    "reason",
  ])
  const refunds = counter(register, "refund_operations_total", "Refund operations by outcome.", ["status"])
  const invoices = counter(register, "invoice_issue_total", "Invoice issue attempts by outcome.", ["status"])
  const reviews = counter(register, "payment_review_total", "Paid orders held for an operator, by reason.", [
    "reason",
  ])
  // Counted per request by HttpDurations, handed to prom-client's histogram when it is scraped.
  const httpDurations = new HttpDurations(HTTP_DURATION_BUCKETS)
  httpDurationHistogram(register, function () {
    httpDurations.writeInto(this)
  })

  const eventType = bounded([...WEBHOOK_EVENT_TYPES, ...(options.webhookEventTypes ?? [])])
  const checkoutReason = bounded([...CHECKOUT_FAILURE_REASONS, ...(options.checkoutFailureReasons ?? [])])
  const reviewReason = bounded([...PAYMENT_REVIEW_REASONS, ...(options.paymentReviewReasons ?? [])])

  // Series exist at 0 from the first scrape: increase() and the runbook's ratio alerts miss the first
  // failure of a series that appears only when it happens.
  for (const status of WEBHOOK_STATUSES)
    for (const type of ACTED_ON_EVENT_TYPES) webhookEvents.inc({ status, type }, 0)
  for (const reason of CHECKOUT_FAILURE_REASONS) checkoutFailures.inc({ reason }, 0)
  for (const status of OUTCOMES) {
    refunds.inc({ status }, 0)
    invoices.inc({ status }, 0)
  }
  for (const reason of PAYMENT_REVIEW_REASONS) reviews.inc({ reason }, 0)

  const metrics = Metrics.of({
    webhookEvent: (status, type) => Effect.sync(() => webhookEvents.inc({ status, type: eventType(type) })),
    checkoutAttempt: Effect.sync(() => checkoutAttempts.inc()),
    checkoutFailure: (reason) => Effect.sync(() => checkoutFailures.inc({ reason: checkoutReason(reason) })),
    refundOperation: (status) => Effect.sync(() => refunds.inc({ status })),
    invoiceIssue: (status) => Effect.sync(() => invoices.inc({ status })),
    paymentReview: (reason) => Effect.sync(() => reviews.inc({ reason: reviewReason(reason) })),
  })

  const gaugeFailures = counter(
    register,
    "gauge_collect_failures_total",
    "Scrape-time gauge collections that failed.",
    ["gauge"],
  )
  const registry = PrometheusRegistry.of({
    contentType: register.contentType,
    metrics: () => register.metrics(),
    observeHttp: (method, route, status, seconds) => httpDurations.observe(method, route, status, seconds),
    registerGauge: (name, help, collect) => registerScrapeGauge(register, gaugeFailures, name, help, collect),
  })

  return Context.make(Metrics, metrics).pipe(Context.add(PrometheusRegistry, registry))
}

/** The domain's Metrics on a fresh prom-client registry per build, never the global default one. */
export const layerWith = (options: PromMetricsOptions): Layer.Layer<Metrics | PrometheusRegistry> =>
  Layer.effectContext(Effect.sync(() => make(options)))

export const layer: Layer.Layer<Metrics | PrometheusRegistry> = layerWith({})
