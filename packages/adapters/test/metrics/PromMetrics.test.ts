import { Metrics } from "@settle/domain"
import { MetricsSuite, runInLayer } from "@settle/testkit/suites"
import { Effect, ManagedRuntime } from "effect"
import { describe, expect, it } from "vitest"
import { PrometheusRegistry } from "../../src/metrics/PrometheusRegistry.js"
import * as PromMetrics from "../../src/metrics/PromMetrics.js"
import { samples, sampleValue } from "./exposition.js"

const scrape = Effect.flatMap(PrometheusRegistry, (registry) => Effect.promise(() => registry.metrics()))

// The contract suite's reasons are examples, not the domain's: they are declared as known labels here.
MetricsSuite.suite("PromMetrics", PromMetrics.layerWith({ checkoutFailureReasons: ["out_of_stock"] }), {
  read: (name, labels) => Effect.map(scrape, (text) => sampleValue(text, name, labels)),
})

const run = runInLayer(PromMetrics.layer)

describe("PromMetrics exposition", () => {
  it("exposes every runbook metric under its exact name", () =>
    run(
      Effect.gen(function* () {
        const text = yield* scrape
        for (const name of [
          "webhook_events_total",
          "checkout_attempts_total",
          "checkout_failures_total",
          "refund_operations_total",
          "invoice_issue_total",
          "payment_review_total",
          "http_request_duration_seconds",
        ]) {
          expect(text).toContain(`# TYPE ${name} `)
        }
      }),
    ))

  it("starts the alerting series at 0 so increase() sees their first failure", () =>
    run(
      Effect.gen(function* () {
        const names = samples(yield* scrape).map((s) => `${s.name}${JSON.stringify(s.labels)}`)
        expect(names).toContain('invoice_issue_total{"status":"failure"}')
        expect(names).toContain('refund_operations_total{"status":"success"}')
        expect(names).toContain('webhook_events_total{"status":"error","type":"checkout.session.completed"}')
        expect(names).toContain('checkout_failures_total{"reason":"InsufficientStock"}')
      }),
    ))

  it("counts unknown event types and reasons as other", () =>
    run(
      Effect.gen(function* () {
        const metrics = yield* Metrics
        yield* metrics.webhookEvent("received", "customer.created")
        yield* metrics.webhookEvent("received", "a".repeat(500))
        yield* metrics.checkoutFailure("SomethingNew")
        yield* metrics.paymentReview("unheard_of")
        const text = yield* scrape
        expect(sampleValue(text, "webhook_events_total", { status: "received", type: "other" })).toBe(2)
        expect(sampleValue(text, "checkout_failures_total", { reason: "other" })).toBe(1)
        expect(sampleValue(text, "payment_review_total", { reason: "other" })).toBe(1)
        expect(text).not.toContain("customer.created")
        expect(text).not.toContain("SomethingNew")
      }),
    ))

  it("keeps the domain's own labels", () =>
    run(
      Effect.gen(function* () {
        const metrics = yield* Metrics
        yield* metrics.checkoutFailure("InsufficientStock")
        yield* metrics.paymentReview("late_payment_capacity_gone")
        yield* metrics.webhookEvent("retry", "charge.refunded")
        const text = yield* scrape
        expect(sampleValue(text, "checkout_failures_total", { reason: "InsufficientStock" })).toBe(1)
        expect(sampleValue(text, "payment_review_total", { reason: "late_payment_capacity_gone" })).toBe(1)
        expect(sampleValue(text, "webhook_events_total", { status: "retry", type: "charge.refunded" })).toBe(
          1,
        )
      }),
    ))

  it("gives every layer build its own registry", async () => {
    const first = ManagedRuntime.make(PromMetrics.layer)
    const second = ManagedRuntime.make(PromMetrics.layer)
    await first.runPromise(Effect.flatMap(Metrics, (m) => m.checkoutAttempt))
    await first.runPromise(Effect.flatMap(Metrics, (m) => m.checkoutAttempt))
    await second.runPromise(Effect.flatMap(Metrics, (m) => m.checkoutAttempt))
    expect(sampleValue(await first.runPromise(scrape), "checkout_attempts_total")).toBe(2)
    expect(sampleValue(await second.runPromise(scrape), "checkout_attempts_total")).toBe(1)
    await Promise.all([first.dispose(), second.dispose()])
  })

  it("includes the default process metrics", () =>
    run(
      Effect.gen(function* () {
        const text = yield* scrape
        expect(text).toContain("process_cpu_seconds_total")
        expect(text).toContain("nodejs_eventloop_lag_seconds")
        expect(text).toContain("process_resident_memory_bytes")
      }),
    ))
})

describe("PrometheusRegistry", () => {
  it("observes request durations into buckets at the runbook's p95/p99 baselines", () =>
    run(
      Effect.gen(function* () {
        const registry = yield* PrometheusRegistry
        registry.observeHttp("post", "/api/v1/checkout", 201, 0.25)
        registry.observeHttp("POST", "/api/v1/checkout", 201, 0.7)
        registry.observeHttp("BREW", "", 404, 0.001)
        registry.observeHttp("GET", "/healthz", 200, Number.NaN)
        registry.observeHttp("GET", "/healthz", 200, -1)
        const text = yield* scrape
        const labels = { method: "POST", route: "/api/v1/checkout", status: "201" }
        const bucket = (le: string) =>
          sampleValue(text, "http_request_duration_seconds_bucket", { ...labels, le })
        expect(bucket("0.2")).toBe(0)
        expect(bucket("0.3")).toBe(1)
        expect(bucket("0.8")).toBe(2)
        expect(bucket("+Inf")).toBe(2)
        expect(sampleValue(text, "http_request_duration_seconds_count", labels)).toBe(2)
        expect(sampleValue(text, "http_request_duration_seconds_sum", labels)).toBeCloseTo(0.95)
        expect(
          sampleValue(text, "http_request_duration_seconds_count", {
            method: "OTHER",
            route: "unmatched",
            status: "404",
          }),
        ).toBe(1)
        expect(
          sampleValue(text, "http_request_duration_seconds_count", {
            method: "GET",
            route: "/healthz",
            status: "200",
          }),
        ).toBe(0)
        expect(registry.contentType).toContain("text/plain")
      }),
    ))

  it("collects registered gauges at scrape time", () =>
    run(
      Effect.gen(function* () {
        const registry = yield* PrometheusRegistry
        let stuck = 0
        registry.registerGauge(
          "paid_unconfirmed_orders",
          "Paid orders without webhook.processedAt.",
          async () => stuck,
        )
        stuck = 3
        expect(sampleValue(yield* scrape, "paid_unconfirmed_orders")).toBe(3)
        stuck = 0
        expect(sampleValue(yield* scrape, "paid_unconfirmed_orders")).toBe(0)
      }),
    ))

  it("keeps the scrape alive when a gauge's store query fails", () =>
    run(
      Effect.gen(function* () {
        const registry = yield* PrometheusRegistry
        registry.registerGauge("failed_invoice_orders", "Orders whose invoice failed.", () =>
          Promise.reject(new Error("store down")),
        )
        const text = yield* scrape
        expect(sampleValue(text, "failed_invoice_orders")).toBeNaN()
        expect(text).toContain("webhook_events_total")
        // Counters are read while the gauges still collect, so a failure shows from the next scrape on.
        const next = yield* scrape
        expect(sampleValue(next, "gauge_collect_failures_total", { gauge: "failed_invoice_orders" })).toBe(1)
      }),
    ))

  it("refuses a gauge name registered twice", () =>
    run(
      Effect.gen(function* () {
        const registry = yield* PrometheusRegistry
        registry.registerGauge("leaked_coupon_reservations", "Reserved and expired.", async () => 0)
        expect(() =>
          registry.registerGauge("leaked_coupon_reservations", "Reserved and expired.", async () => 0),
        ).toThrow(/already registered/)
      }),
    ))
})
