import { Context } from "effect"
import type { GaugeReading } from "./gauges.js"

/**
 * The Prometheus side of the metrics layer, for the server's `/metrics` route and request timing.
 * Plain functions, not Effects: Koa middleware calls them on every request outside any runtime.
 */
export interface PrometheusRegistry {
  /** The Content-Type of the `/metrics` response (text exposition format 0.0.4). */
  readonly contentType: string
  /** The text exposition of this registry; runs every registered gauge's collector first. */
  readonly metrics: () => Promise<string>
  /** Records one request in http_request_duration_seconds; `route` is the router's template, never the raw path. */
  readonly observeHttp: (method: string, route: string, status: number, seconds: number) => void
  /**
   * A gauge computed at scrape time (the runbook's order-health counts). A failing or rejected `collect`
   * reports NaN and counts in gauge_collect_failures_total instead of failing the whole scrape; a
   * reading marked `failed` (a stale value served after a timed-out read) shows its value and counts too.
   * Throws if a metric of that name is already registered: a wiring bug, caught at boot.
   */
  readonly registerGauge: (name: string, help: string, collect: () => Promise<number | GaugeReading>) => void
}

export const PrometheusRegistry = Context.GenericTag<PrometheusRegistry>(
  "@settle/adapters/PrometheusRegistry",
)
