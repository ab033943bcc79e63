import { Metrics } from "@settle/domain"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as MemoryMetrics from "../../src/fakes/MemoryMetrics.js"
import { MetricsProbe, metricKey } from "../../src/fakes/MemoryMetrics.js"
import { suite } from "../../src/suites/MetricsSuite.js"

suite("MemoryMetrics", MemoryMetrics.layer, {
  read: (name, labels) => Effect.flatMap(MetricsProbe, (probe) => probe.value(name, labels)),
})

describe("MemoryMetrics keys and snapshot", () => {
  it("keys counters by name and sorted labels, in Prometheus form", () => {
    expect(metricKey("checkout_attempts_total")).toBe("checkout_attempts_total")
    expect(metricKey("webhook_events_total", { type: "charge.refunded", status: "retry" })).toBe(
      'webhook_events_total{status="retry",type="charge.refunded"}',
    )
    expect(metricKey("checkout_failures_total", { reason: 'a "b"\n\\' })).toBe(
      'checkout_failures_total{reason="a \\"b\\"\\n\\\\"}',
    )
  })

  it("snapshots every counter under its runbook key", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const metrics = yield* Metrics
        yield* metrics.webhookEvent("processed", "checkout.session.completed")
        yield* metrics.checkoutAttempt
        yield* metrics.checkoutFailure("out_of_stock")
        yield* metrics.refundOperation("success")
        yield* metrics.invoiceIssue("failure")
        yield* metrics.paymentReview("amount_mismatch")
        expect(yield* (yield* MetricsProbe).snapshot).toEqual({
          'webhook_events_total{status="processed",type="checkout.session.completed"}': 1,
          checkout_attempts_total: 1,
          'checkout_failures_total{reason="out_of_stock"}': 1,
          'refund_operations_total{status="success"}': 1,
          'invoice_issue_total{status="failure"}': 1,
          'payment_review_total{reason="amount_mismatch"}': 1,
        })
      }).pipe(Effect.provide(MemoryMetrics.layer)),
    ))
})
