import { beforeAll, describe, expect, it } from "vitest"
import { call, postJson, startTestServer } from "../support/server.js"
import { RULE_FILES, readRules } from "./alertFiles.js"
import { dashboardQueries, readDashboard, variableMetric } from "./dashboard.js"
import { metricNames, selectors } from "./promql.js"

interface ExportedSeries {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
}

/** The sample lines of a text exposition (format 0.0.4). */
const parseExposition = (text: string): ReadonlyArray<ExportedSeries> =>
  text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [, name = "", labels = ""] = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s/.exec(line) ?? []
      return {
        name,
        labels: Object.fromEntries(
          [...labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, label, value]) => [label, value]),
        ),
      }
    })

const rules = RULE_FILES.flatMap(readRules)
const recorded = new Set(rules.filter((rule) => rule.kind === "record").map((rule) => rule.name))
const dashboard = readDashboard()
const queries = [
  ...rules.map((rule) => ({ where: `${rule.kind} ${rule.name}`, expr: rule.expr })),
  ...dashboardQueries(dashboard).map(({ title, expr }) => ({ where: `panel "${title}"`, expr })),
]

let exported: ReadonlyArray<ExportedSeries> = []

// One scrape of a real server, after the requests whose series the rules select by label value: an
// observed request (the latency histogram has no series before one) and a delivery with a bad
// signature (StripeWebhookDeliveriesRejected reads the webhook route's 400s).
beforeAll(async () => {
  const server = await startTestServer()
  expect((await call(`${server.url}/healthz`)).status).toBe(200)
  const rejected = await postJson(`${server.url}/api/v1/webhooks/stripe`, "{}", {
    "Stripe-Signature": "t=1,v1=0000",
  })
  expect(rejected.status).toBe(400)
  const scrape = await call(`${server.url}/metrics`)
  expect(scrape.status).toBe(200)
  exported = parseExposition(scrape.body as string)
})

describe("the series docs/alerts reads, against a real server's /metrics", () => {
  it("reads only metric names the server exports or a recording rule records", () => {
    const names = new Set(exported.map(({ name }) => name))
    expect(names.has("webhook_events_total")).toBe(true)
    const variables = dashboard.templating.list.flatMap(({ name, query }) => {
      const metric = variableMetric(query)
      return metric === null ? [] : [{ where: `variable $${name}`, expr: metric }]
    })
    const unknown = [...queries, ...variables].flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !names.has(name) && !recorded.has(name))
        .map((name) => `${where}: ${name}`),
    )
    expect(unknown).toEqual([])
  })

  it('matches only label values the server exports (label="value" on exported metrics)', () => {
    const matched = queries.flatMap(({ where, expr }) =>
      selectors(expr)
        .filter(({ metric }) => !recorded.has(metric))
        .flatMap(({ metric, equals }) =>
          equals
            // Grafana variables ($job) are the scraper's labels, not the server's.
            .filter(([, value]) => !value.includes("$"))
            .map(([label, value]) => ({ where, metric, label, value })),
        ),
    )
    expect(matched.length).toBeGreaterThan(0)
    const unknown = matched
      .filter(({ metric, label, value }) =>
        exported.every((series) => series.name !== metric || series.labels[label] !== value),
      )
      .map(({ where, metric, label, value }) => `${where}: ${metric}{${label}="${value}"}`)
    expect(unknown).toEqual([])
  })
})
