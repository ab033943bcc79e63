import { readFileSync } from "node:fs"
import { Schema } from "effect"
import { DASHBOARD_FILE } from "./alertFiles.js"

/** The parts of Grafana's classic dashboard JSON model the tests read; decoding fails on a missing one. */
const DataSourceRef = Schema.Struct({ type: Schema.String, uid: Schema.String })

const Target = Schema.Struct({ refId: Schema.String, expr: Schema.String, datasource: DataSourceRef })

const GridPos = Schema.Struct({ h: Schema.Number, w: Schema.Number, x: Schema.Number, y: Schema.Number })

const Panel = Schema.Struct({
  id: Schema.Number,
  type: Schema.String,
  title: Schema.String,
  gridPos: GridPos,
  datasource: Schema.optional(DataSourceRef),
  targets: Schema.optional(Schema.Array(Target)),
})

const Variable = Schema.Struct({
  name: Schema.String,
  type: Schema.String,
  query: Schema.Union(Schema.String, Schema.Struct({ query: Schema.String })),
  datasource: Schema.optional(DataSourceRef),
})

export const GrafanaDashboard = Schema.Struct({
  uid: Schema.String,
  title: Schema.String,
  schemaVersion: Schema.Number,
  panels: Schema.Array(Panel),
  templating: Schema.Struct({ list: Schema.Array(Variable) }),
})
export type GrafanaDashboard = typeof GrafanaDashboard.Type

export const readDashboard = (): GrafanaDashboard =>
  Schema.decodeUnknownSync(GrafanaDashboard)(JSON.parse(readFileSync(DASHBOARD_FILE, "utf8")))

export interface DashboardQuery {
  readonly title: string
  readonly expr: string
}

/** Every panel query, with its panel's title. */
export const dashboardQueries = (dashboard: GrafanaDashboard): ReadonlyArray<DashboardQuery> =>
  dashboard.panels.flatMap(({ title, targets = [] }) => targets.map(({ expr }) => ({ title, expr })))

/** The metric a `label_values(metric, label)` variable reads its values from. */
export const variableMetric = (query: GrafanaDashboard["templating"]["list"][number]["query"]) => {
  const text = typeof query === "string" ? query : query.query
  return /^label_values\(\s*([a-zA-Z_:][\w:]*)\s*,/.exec(text)?.[1] ?? null
}
