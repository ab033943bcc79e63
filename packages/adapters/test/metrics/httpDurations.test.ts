import { Registry } from "prom-client"
import { describe, expect, it } from "vitest"
import { HttpDurations } from "../../src/metrics/httpDurations.js"
import { httpMethod, httpRoute } from "../../src/metrics/labels.js"
import { HTTP_DURATION_BUCKETS, httpDurationHistogram } from "../../src/metrics/PromMetrics.js"

/** What PromMetrics did before HttpDurations: prom-client's own observe, labels normalized per request. */
const observedByPromClient = () => {
  const register = new Registry()
  const direct = httpDurationHistogram(register)
  const observe = (method: string, route: string, status: number, seconds: number) => {
    if (!Number.isFinite(seconds) || seconds < 0) return
    direct.observe({ method: httpMethod(method), route: httpRoute(route), status: String(status) }, seconds)
  }
  return { register, observe }
}

const keptByHttpDurations = () => {
  const register = new Registry()
  const durations = new HttpDurations(HTTP_DURATION_BUCKETS)
  httpDurationHistogram(register, function () {
    durations.writeInto(this)
  })
  return { register, observe: durations.observe.bind(durations) }
}

/** A deterministic mix: every bucket and its edges, the tail, the refused values, odd methods and routes. */
const observations = (): ReadonlyArray<readonly [string, string, number, number]> => {
  const routes = ["/healthz", "/api/v1/orders/:id", "", "/api/v1/webhooks/stripe", 'a"quoted\\route']
  const methods = ["GET", "POST", "get", "BREW", "DELETE", "OTHER"]
  const statuses = [200, 201, 400, 404, 500]
  const durations = [
    ...HTTP_DURATION_BUCKETS,
    ...HTTP_DURATION_BUCKETS.map((bound) => bound * 0.999),
    ...HTTP_DURATION_BUCKETS.map((bound) => bound * 1.001),
    0,
    0.0001234,
    45,
    Number.NaN,
    -1,
    Number.POSITIVE_INFINITY,
  ]
  const all: Array<readonly [string, string, number, number]> = []
  let i = 0
  for (const seconds of durations)
    for (let repeat = 0; repeat < 7; repeat++, i++)
      all.push([
        methods[(i * 7) % methods.length]!,
        routes[(i * 3) % routes.length]!,
        statuses[(i * 5) % statuses.length]!,
        seconds * (1 + repeat / 1000),
      ])
  return all
}

describe("HttpDurations", () => {
  it("exposes exactly what prom-client's own histogram exposes for the same observations", async () => {
    const before = observedByPromClient()
    const after = keptByHttpDurations()
    expect(await after.register.metrics()).toBe(await before.register.metrics())
    for (const [method, route, status, seconds] of observations()) {
      before.observe(method, route, status, seconds)
      after.observe(method, route, status, seconds)
    }
    const text = await before.register.metrics()
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.3",method="GET"')
    expect(await after.register.metrics()).toBe(text)
    expect(await after.register.getMetricsAsJSON()).toEqual(await before.register.getMetricsAsJSON())
    // A second scrape, after more requests, still agrees (the counts are written afresh each time).
    before.observe("GET", "/healthz", 200, 0.002)
    after.observe("GET", "/healthz", 200, 0.002)
    expect(await after.register.metrics()).toBe(await before.register.metrics())
  })

  it("counts two raw methods that are both OTHER in one series", async () => {
    const after = keptByHttpDurations()
    after.observe("BREW", "", 404, 0.001)
    after.observe("PROPFIND", "", 404, 0.001)
    const text = await after.register.metrics()
    expect(text).toContain(
      'http_request_duration_seconds_count{method="OTHER",route="unmatched",status="404"} 2',
    )
    expect(text.match(/_count\{/g)).toHaveLength(1)
  })
})
