import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import {
  findPromtool,
  RULE_FILES,
  readAlertCases,
  readExprCases,
  readRules,
  runPromtool,
  UNIT_TEST_FILES,
} from "./alertFiles.js"
import { dashboardQueries, readDashboard } from "./dashboard.js"

let promtool = ""

beforeAll(() => {
  promtool = findPromtool()
}, 600_000)

describe("docs/alerts with promtool", () => {
  it("promtool check rules accepts the rule files", () => {
    const { code, output } = runPromtool(promtool, ["check", "rules", ...RULE_FILES])
    expect(code, output).toBe(0)
  })

  it("promtool test rules passes every unit test file", () => {
    expect(UNIT_TEST_FILES.length).toBeGreaterThan(0)
    const { code, output } = runPromtool(promtool, ["test", "rules", ...UNIT_TEST_FILES])
    expect(code, output).toBe(0)
  })

  it("every alert has a unit test where it fires and one where it stays silent", () => {
    const cases = UNIT_TEST_FILES.flatMap(readAlertCases)
    const alerts = RULE_FILES.flatMap(readRules).filter((rule) => rule.kind === "alert")
    expect(alerts.length).toBeGreaterThan(0)
    const untested = alerts.flatMap(({ name }) => {
      const mine = cases.filter((c) => c.alertname === name)
      return [
        ...(mine.some((c) => c.fires) ? [] : [`${name}: no firing case`]),
        ...(mine.some((c) => !c.fires) ? [] : [`${name}: no silent case`]),
      ]
    })
    expect(untested).toEqual([])
    const unknown = cases.filter((c) => !alerts.some((alert) => alert.name === c.alertname))
    expect(unknown).toEqual([])
  })

  it("every recording rule is evaluated by a promql_expr_test", () => {
    const exprs = UNIT_TEST_FILES.flatMap(readExprCases)
    const untested = RULE_FILES.flatMap(readRules)
      .filter((rule) => rule.kind === "record")
      .filter(({ name }) => !exprs.some((expr) => expr.includes(name)))
      .map(({ name }) => name)
    expect(untested).toEqual([])
  })

  it("every dashboard query is valid PromQL", () => {
    // Grafana's own variables, as Grafana would interpolate them, so promtool parses what Prometheus gets.
    const rules = dashboardQueries(readDashboard()).map(({ title, expr }, i) => ({
      record: `dashboard_query_${i}`,
      expr: expr
        .replaceAll("$__rate_interval", "1m")
        .replaceAll("$__range", "6h")
        .replaceAll("$job", "settle"),
      labels: { panel: title },
    }))
    const dir = mkdtempSync(join(tmpdir(), "settle-dashboard-"))
    try {
      // JSON is YAML: promtool reads the rule file as written.
      const file = join(dir, "dashboard-queries.json")
      writeFileSync(file, JSON.stringify({ groups: [{ name: "dashboard", rules }] }))
      const { code, output } = runPromtool(promtool, ["check", "rules", file])
      expect(code, output).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
