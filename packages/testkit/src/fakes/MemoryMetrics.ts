import { Metrics } from "@settle/domain"
import { Context, Effect, Layer, Ref } from "effect"

export type Labels = Readonly<Record<string, string>>

/** Reads the recorded counters, by the runbook's metric names. */
export interface MetricsProbe {
  /** A counter's value; 0 when never incremented. */
  readonly value: (name: string, labels?: Labels) => Effect.Effect<number>
  /** Every counter by `metricKey`. */
  readonly snapshot: Effect.Effect<Readonly<Record<string, number>>>
}

export const MetricsProbe = Context.GenericTag<MetricsProbe>("@settle/testkit/MetricsProbe")

const escapeLabel = (value: string): string =>
  value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")

/** Prometheus exposition form with sorted labels: `webhook_events_total{status="processed",type="…"}`. */
export const metricKey = (name: string, labels: Labels = {}): string => {
  const pairs = Object.keys(labels)
    .sort()
    .map((key) => `${key}="${escapeLabel(labels[key] ?? "")}"`)
  return pairs.length === 0 ? name : `${name}{${pairs.join(",")}}`
}

export const make: Effect.Effect<Context.Context<Metrics | MetricsProbe>> = Effect.map(
  Ref.make<Readonly<Record<string, number>>>({}),
  (counters) => {
    const inc = (name: string, labels?: Labels) =>
      Ref.update(counters, (all) => {
        const key = metricKey(name, labels)
        return { ...all, [key]: (all[key] ?? 0) + 1 }
      })
    const metrics = Metrics.of({
      webhookEvent: (status, type) => inc("webhook_events_total", { status, type }),
      checkoutAttempt: inc("checkout_attempts_total"),
      checkoutFailure: (reason) => inc("checkout_failures_total", { reason }),
      refundOperation: (status) => inc("refund_operations_total", { status }),
      invoiceIssue: (status) => inc("invoice_issue_total", { status }),
      paymentReview: (reason) => inc("payment_review_total", { reason }),
    })
    const probe = MetricsProbe.of({
      value: (name, labels) => Effect.map(Ref.get(counters), (all) => all[metricKey(name, labels)] ?? 0),
      snapshot: Ref.get(counters),
    })
    return Context.make(Metrics, metrics).pipe(Context.add(MetricsProbe, probe))
  },
)

export const layer: Layer.Layer<Metrics | MetricsProbe> = Layer.effectContext(make)
