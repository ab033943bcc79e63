import { Metrics } from "@settle/domain"
import { Effect, type Layer } from "effect"
import { describe, expect, it } from "vitest"
import { runInLayer } from "./runInLayer.js"

export interface MetricsSuiteOptions<R> {
  /** Read a counter by its runbook name and labels (a probe, a prom-client registry); enables the value cases. */
  readonly read?: (
    name: string,
    labels?: Readonly<Record<string, string>>,
  ) => Effect.Effect<number, never, Metrics | R>
}

/** The Metrics contract: every counter of the runbook can be incremented, never fails, and counts exactly. */
export const suite = <R, E>(
  name: string,
  layer: Layer.Layer<Metrics | R, E>,
  options: MetricsSuiteOptions<R> = {},
): void => {
  const run = runInLayer(layer)
  const withRead = options.read === undefined ? it.skip : it
  const read = options.read ?? (() => Effect.succeed(0))

  describe(name, () => {
    it("accepts every counter, even with awkward label values, without failing", () =>
      run(
        Effect.gen(function* () {
          const metrics = yield* Metrics
          yield* metrics.webhookEvent("received", "checkout.session.completed")
          yield* metrics.webhookEvent("duplicate", 'odd "type"\nwith\\escapes')
          yield* metrics.checkoutAttempt
          yield* metrics.checkoutFailure("")
          yield* metrics.refundOperation("failure")
          yield* metrics.invoiceIssue("success")
          yield* metrics.paymentReview("amount_mismatch")
        }),
      ))

    withRead("counts webhook events per status and type, under the runbook name", () =>
      run(
        Effect.gen(function* () {
          const metrics = yield* Metrics
          const type = "checkout.session.completed"
          yield* Effect.all([
            metrics.webhookEvent("processed", type),
            metrics.webhookEvent("processed", type),
            metrics.webhookEvent("duplicate", type),
          ])
          expect(yield* read("webhook_events_total", { status: "processed", type })).toBe(2)
          expect(yield* read("webhook_events_total", { status: "duplicate", type })).toBe(1)
          expect(yield* read("webhook_events_total", { status: "error", type })).toBe(0)
        }),
      ),
    )

    withRead("counts the checkout, refund, invoice and review counters under their runbook names", () =>
      run(
        Effect.gen(function* () {
          const metrics = yield* Metrics
          yield* Effect.all([
            metrics.checkoutAttempt,
            metrics.checkoutAttempt,
            metrics.checkoutFailure("out_of_stock"),
          ])
          yield* Effect.all([metrics.refundOperation("success"), metrics.invoiceIssue("failure")])
          yield* metrics.paymentReview("amount_mismatch")
          expect(yield* read("checkout_attempts_total")).toBe(2)
          expect(yield* read("checkout_failures_total", { reason: "out_of_stock" })).toBe(1)
          expect(yield* read("refund_operations_total", { status: "success" })).toBe(1)
          expect(yield* read("invoice_issue_total", { status: "failure" })).toBe(1)
          expect(yield* read("payment_review_total", { reason: "amount_mismatch" })).toBe(1)
        }),
      ),
    )

    withRead("loses no increment under concurrency", () =>
      run(
        Effect.gen(function* () {
          const metrics = yield* Metrics
          yield* Effect.all(
            Array.from({ length: 100 }, () => metrics.checkoutAttempt),
            { concurrency: "unbounded" },
          )
          expect(yield* read("checkout_attempts_total")).toBe(100)
        }),
      ),
    )
  })
}
