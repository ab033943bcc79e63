import { describe, expect, it } from "vitest"
import { dashboardQueries, readDashboard, variableMetric } from "./dashboard.js"
import { metricNames, selectors } from "./promql.js"

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template.
const PICKED_DATASOURCE = "${datasource}"

const dashboard = readDashboard()
const isJobFilter = ([label, value]: readonly [string, string]) => label === "job" && value === "$job"
const panels = dashboard.panels.filter((panel) => panel.type !== "row")

describe("docs/alerts/grafana-dashboard.json", () => {
  it("is in Grafana's current classic schema", () => {
    expect(dashboard.schemaVersion).toBe(42)
  })

  it("reads every query from the Prometheus data source picked in its $datasource variable", () => {
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: "datasource", type: "datasource", query: "prometheus" }),
    )
    const picked = { type: "prometheus", uid: PICKED_DATASOURCE }
    expect(panels.map(({ title, datasource }) => [title, datasource])).toEqual(
      panels.map(({ title }) => [title, picked]),
    )
    const targets = panels.flatMap(({ targets = [] }) => targets)
    expect(targets.length).toBeGreaterThan(0)
    expect(targets.filter(({ datasource }) => datasource.uid !== picked.uid)).toEqual([])
  })

  it("filters every series it reads by the $job variable, listed from the server's own series", () => {
    const job = dashboard.templating.list.find(({ name }) => name === "job")
    expect(job?.datasource?.uid).toBe(PICKED_DATASOURCE)
    expect(job === undefined ? null : variableMetric(job.query)).toBe("webhook_events_total")
    const unfiltered = dashboardQueries(dashboard).flatMap(({ title, expr }) =>
      metricNames(expr).flatMap((metric) =>
        [...expr.matchAll(new RegExp(`(?<![\\w:])${metric}(?![\\w:])\\s*(\\{[^}]*\\})?`, "g"))]
          .filter(([, matchers = ""]) => !selectors(`${metric}${matchers}`)[0]?.equals.some(isJobFilter))
          .map(() => `${title}: ${metric}`),
      ),
    )
    expect(unfiltered).toEqual([])
  })

  it("has a panel for every series of the runbook's Monitoring & Dashboards section", () => {
    const exprs = dashboardQueries(dashboard).map(({ expr }) => expr)
    const runbookSeries = [
      "http_request_duration_p95",
      "http_request_duration_p99",
      "webhook_failures_total",
      "webhook_retries_total",
      "checkout_failures_total",
      "checkout_attempts_total",
      "refund_operations_total",
      "invoice_issue_total",
      "paid_unconfirmed_orders",
      "failed_invoice_orders",
      "leaked_coupon_reservations",
    ]
    expect(runbookSeries.filter((series) => !exprs.some((expr) => expr.includes(series)))).toEqual([])
  })

  it("lays its panels out on Grafana's 24-column grid without overlaps, with unique ids", () => {
    const ids = dashboard.panels.map(({ id }) => id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(dashboard.panels.filter(({ gridPos }) => gridPos.x < 0 || gridPos.x + gridPos.w > 24)).toEqual([])
    const overlaps = dashboard.panels.flatMap((a, i) =>
      dashboard.panels
        .slice(i + 1)
        .filter(
          (b) =>
            a.gridPos.x < b.gridPos.x + b.gridPos.w &&
            b.gridPos.x < a.gridPos.x + a.gridPos.w &&
            a.gridPos.y < b.gridPos.y + b.gridPos.h &&
            b.gridPos.y < a.gridPos.y + a.gridPos.h,
        )
        .map((b) => `${a.title} / ${b.title}`),
    )
    expect(overlaps).toEqual([])
  })
})
