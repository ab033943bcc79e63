import { cpus, release } from "node:os"
import type { Figures } from "./load.js"
import type { BenchOptions } from "./options.js"
import type { IngestMeasurement } from "./webhookIngest.js"

export interface Measured {
  readonly options: BenchOptions
  readonly nodeHttp: Figures
  readonly koa: Figures
  readonly settleHealthz: Figures
  readonly webhook: IngestMeasurement
  /** Exit codes of the target processes after SIGTERM, by name. */
  readonly exits: Readonly<Record<string, number | null>>
  /** os.loadavg() around the run: other work on the machine shows here. */
  readonly loadAverage: { readonly before: ReadonlyArray<number>; readonly after: ReadonlyArray<number> }
}

const machine = (loadAverage: Measured["loadAverage"]) => ({
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model.trim() ?? "unknown",
  node: process.version,
  os: `${process.platform} ${release()}`,
  loadAverage1m: { before: loadAverage.before[0] ?? 0, after: loadAverage.after[0] ?? 0 },
})

const ratio = (a: Figures, b: Figures): number => (b.rps > 0 ? Number((a.rps / b.rps).toFixed(3)) : 0)

const pad = (text: string, width: number) => text.padStart(width)

/** A compact fixed-width table, one row per measured run; autocannon resolves latency to whole ms. */
const table = (rows: ReadonlyArray<readonly [string, Figures]>): string => {
  const head = `${"target".padEnd(34)}${pad("req/s", 9)}${pad("p50 ms", 8)}${pad("p99 ms", 8)}${pad("seconds", 9)}${pad("requests", 10)}${pad("non-2xx", 9)}${pad("errors", 8)}`
  const lines = rows.map(
    ([target, f]) =>
      `${target.padEnd(34)}${pad(f.rps.toFixed(0), 9)}${pad(f.p50Ms.toFixed(0), 8)}${pad(f.p99Ms.toFixed(0), 8)}${pad(f.seconds.toFixed(1), 9)}${pad(String(f.requests), 10)}${pad(String(f.non2xx), 9)}${pad(String(f.errors), 8)}`,
  )
  return [head, "-".repeat(head.length), ...lines].join("\n")
}

/** Prints the table, the ratios and the JSON summary; answers whether the run is clean. */
export const report = (m: Measured): boolean => {
  const { warmup, batches, combined: webhook } = m.webhook
  const rows = [
    ["node:http   GET /healthz", m.nodeHttp],
    ["koa         GET /healthz", m.koa],
    ["settle      GET /healthz", m.settleHealthz],
    ["settle      POST webhook (20% dup)", webhook.figures],
  ] as const
  const ratios = {
    settleOverKoa: ratio(m.settleHealthz, m.koa),
    settleOverNodeHttp: ratio(m.settleHealthz, m.nodeHttp),
    webhookOverHealthz: ratio(webhook.figures, m.settleHealthz),
  }
  // No request of any run is expected to fail: the webhook's redeliveries are answered 2xx too.
  const unexpected = [...rows.map(([, f]) => f), warmup.figures].reduce(
    (sum, f) => sum + f.non2xx + f.errors,
    0,
  )
  const problems = [
    ...(unexpected === 0 ? [] : [`${unexpected} non-2xx answers or connection errors`]),
    ...warmup.verification.problems,
    ...webhook.verification.problems,
    ...Object.entries(m.exits).flatMap(([name, code]) => (code === 0 ? [] : [`${name} exited with ${code}`])),
  ]
  const v = webhook.verification
  console.log(table(rows))
  console.log(
    `\nratios: settle/koa ${ratios.settleOverKoa}  settle/node:http ${ratios.settleOverNodeHttp}  webhook/healthz ${ratios.webhookOverHealthz}`,
  )
  console.log(
    `webhook: ${webhook.orders} orders in ${batches.length} batches, ${webhook.freshSent} fresh + ${webhook.duplicatesSent} redelivered; server counted ${JSON.stringify(v.serverCounted)}; committed units ${v.committedUnits}; sampled orders confirmed ${v.sampledOrders.confirmed}/${v.sampledOrders.read}`,
  )
  for (const problem of problems) console.log(`PROBLEM: ${problem}`)
  const summary = {
    machine: machine(m.loadAverage),
    options: m.options,
    results: {
      nodeHttp: m.nodeHttp,
      koa: m.koa,
      settleHealthz: m.settleHealthz,
      settleWebhook: webhook.figures,
    },
    ratios,
    webhook: {
      orders: webhook.orders,
      ordersInStoreAtEnd: warmup.orders + webhook.orders,
      freshSent: webhook.freshSent,
      duplicatesSent: webhook.duplicatesSent,
      duplicateShare: Number(
        (webhook.duplicatesSent / (webhook.freshSent + webhook.duplicatesSent)).toFixed(3),
      ),
      // The rate as the in-memory store fills up, batch by batch.
      batches: batches.map((run) => ({
        orders: run.orders,
        rps: Math.round(run.figures.rps),
        p99Ms: run.figures.p99Ms,
      })),
      warmup: { orders: warmup.orders, rps: Math.round(warmup.figures.rps) },
      verification: v,
    },
    exits: m.exits,
    ok: problems.length === 0,
  }
  console.log(JSON.stringify(summary, null, 2))
  return summary.ok
}
