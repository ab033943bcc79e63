import { cpus, release } from "node:os"
import {
  LARGE_STORE,
  MIN_SCALING_RATIO,
  type ScalePoint,
  type ScalingMeasurement,
  SMALL_STORE,
} from "./ingestScaling.js"
import type { Figures } from "./load.js"
import type { BenchOptions } from "./options.js"
import type { IngestMeasurement } from "./webhookIngest.js"

export interface Measured {
  readonly options: BenchOptions
  readonly nodeHttp: Figures
  readonly koa: Figures
  readonly settleHealthz: Figures
  readonly webhook: IngestMeasurement
  readonly scaling: ScalingMeasurement
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

const rates = (point: ScalePoint) => point.batches.map((f) => Math.round(f.rps))

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
  const { small, large } = m.scaling
  const rows = [
    ["node:http   GET /healthz", m.nodeHttp],
    ["koa         GET /healthz", m.koa],
    ["settle      GET /healthz", m.settleHealthz],
    ["settle      POST webhook (20% dup)", webhook.figures],
    [`settle      webhook @${SMALL_STORE} orders`, small.figures],
    [`settle      webhook @${LARGE_STORE} orders`, large.figures],
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
    ...small.problems.map((problem) => `store of ${SMALL_STORE}: ${problem}`),
    ...large.problems.map((problem) => `store of ${LARGE_STORE}: ${problem}`),
    ...(m.scaling.ratio >= MIN_SCALING_RATIO
      ? []
      : [`webhook ingest at ${LARGE_STORE} orders ran ${m.scaling.ratio} of its rate at ${SMALL_STORE}`]),
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
  console.log(
    `webhook vs stored orders: ${Math.round(large.figures.rps)}/s at ${large.storedBefore}-${large.storedAfter} orders / ${Math.round(small.figures.rps)}/s at ${small.storedBefore}-${small.storedAfter} = ${m.scaling.ratio} (at least ${MIN_SCALING_RATIO}); server CPU per request ${large.cpuMsPerRequest} ms / ${small.cpuMsPerRequest} ms = ${m.scaling.cpuRatio}`,
  )
  console.log(
    `webhook while filling the store of ${LARGE_STORE} (orders stored: rate, server CPU per request): ${large.filling.map((f) => `${f.stored}: ${f.rps}/s ${f.cpuMs} ms`).join(", ")}`,
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
    // The same ingest on a store of SMALL_STORE orders and one of LARGE_STORE, batch by batch.
    scaling: {
      ratio: m.scaling.ratio,
      minRatio: MIN_SCALING_RATIO,
      cpuRatio: m.scaling.cpuRatio,
      fillSeconds: Math.round(m.scaling.fillSeconds),
      small: {
        stored: [small.storedBefore, small.storedAfter],
        figures: small.figures,
        cpuMsPerRequest: small.cpuMsPerRequest,
        batchRps: rates(small),
        filling: small.filling,
      },
      large: {
        stored: [large.storedBefore, large.storedAfter],
        figures: large.figures,
        cpuMsPerRequest: large.cpuMsPerRequest,
        batchRps: rates(large),
        filling: large.filling,
      },
    },
    exits: m.exits,
    ok: problems.length === 0,
  }
  console.log(JSON.stringify(summary, null, 2))
  return summary.ok
}
