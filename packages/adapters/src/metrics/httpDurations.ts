import type { Histogram } from "prom-client"
import { httpMethod, httpRoute } from "./labels.js"

type Labels = { readonly method: string; readonly route: string; readonly status: string }

/** One (method, route, status) series: per-bucket counts, not cumulative, as prom-client keeps them. */
interface Series {
  readonly labels: Labels
  /** counts[i]: observations in (bounds[i - 1], bounds[i]]; those above the last bound only count. */
  readonly counts: Float64Array
  sum: number
  count: number
}

/** prom-client's entry for one labelled series of a histogram (lib/histogram.js, createBaseValues). */
interface HistogramEntry {
  bucketValues: Record<string, number>
  sum: number
  count: number
}

/**
 * http_request_duration_seconds's counts, kept here and handed to prom-client at scrape time.
 * prom-client's `observe` validates the labels, hashes them into a key and searches the buckets on
 * every request, a few % of a `/healthz` (docs/performance.md); here a request looks its series up by
 * the values it already has (three map reads) and increments one count. The exposition is
 * prom-client's own, from the same counts and sums in the same order (httpDurations.test.ts compares it
 * with a prom-client histogram fed the same observations).
 */
export class HttpDurations {
  readonly #bounds: ReadonlyArray<number>
  /** method → route → status, by the values the request carries (a few methods, the routes' templates). */
  readonly #byRequest = new Map<string, Map<string, Map<number, Series>>>()
  /** By the normalized label values: two raw methods counted as OTHER share a series. */
  readonly #byLabels = new Map<string, Series>()

  constructor(bounds: ReadonlyArray<number>) {
    this.#bounds = bounds
  }

  /** Records one request; a duration that is not a finite non-negative number is dropped. */
  observe(method: string, route: string, status: number, seconds: number): void {
    // A clock step backwards must not poison the sum, nor throw inside the request path.
    if (!(seconds >= 0 && seconds < Number.POSITIVE_INFINITY)) return
    const series = this.#byRequest.get(method)?.get(route)?.get(status) ?? this.#add(method, route, status)
    const bounds = this.#bounds
    let bucket = 0
    while (bucket < bounds.length && seconds > (bounds[bucket] as number)) bucket++
    if (bucket < bounds.length) series.counts[bucket] = (series.counts[bucket] as number) + 1
    series.sum += seconds
    series.count += 1
  }

  #add(method: string, route: string, status: number): Series {
    const labels: Labels = { method: httpMethod(method), route: httpRoute(route), status: String(status) }
    const key = `${labels.method} ${labels.route} ${labels.status}`
    let series = this.#byLabels.get(key)
    if (series === undefined) {
      series = { labels, counts: new Float64Array(this.#bounds.length), sum: 0, count: 0 }
      this.#byLabels.set(key, series)
    }
    const routes = this.#byRequest.get(method) ?? new Map<string, Map<number, Series>>()
    this.#byRequest.set(method, routes)
    const statuses = routes.get(route) ?? new Map<number, Series>()
    routes.set(route, statuses)
    statuses.set(status, series)
    return series
  }

  /**
   * Writes the counts into `histogram` (its buckets must be these bounds): the series are made afresh
   * by prom-client's own `zero`, in the order they were first observed, as its `observe` adds them.
   */
  writeInto(histogram: Histogram<"method" | "route" | "status">): void {
    histogram.reset()
    for (const series of this.#byLabels.values()) histogram.zero({ ...series.labels })
    const entries = Object.values(
      (histogram as unknown as { hashMap: Record<string, HistogramEntry> }).hashMap,
    )
    let index = 0
    for (const series of this.#byLabels.values()) {
      const entry = entries[index++]
      if (entry === undefined) throw new Error("prom-client changed: a zeroed histogram series is missing")
      this.#bounds.forEach((bound, bucket) => {
        entry.bucketValues[bound] = series.counts[bucket] as number
      })
      entry.sum = series.sum
      entry.count = series.count
    }
  }
}
