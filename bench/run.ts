import { mkdirSync } from "node:fs"
import { loadavg } from "node:os"
import { SECRETS } from "../packages/server/test/e2e/support/shop.js"
import { histogramProblems, measureHealthz, reportHealthz } from "./support/healthzOnly.js"
import { benchHot } from "./support/hotCapacity.js"
import { measureScaling, SCALING, SMOKE_SCALING } from "./support/ingestScaling.js"
import { measureInterleaved } from "./support/load.js"
import { benchMongo } from "./support/mongoBench.js"
import { parseOptions, settleNodeArgs } from "./support/options.js"
import { openShop } from "./support/orders.js"
import { type MemoryTarget, startMemoryTarget } from "./support/profileMemory.js"
import { timePhase, writeWindows } from "./support/profileWindows.js"
import { report } from "./support/report.js"
import {
  startKoaHello,
  startNodeHello,
  startSettleHistogramOff,
  startSettleWith,
  type Target,
} from "./support/targets.js"
import { measureIngest } from "./support/webhookIngest.js"

/**
 * `pnpm bench`: GET /healthz on Settle's embedded default against bare Koa and bare node:http, then
 * Stripe webhook ingest on Settle, then that ingest (and the server's memory) on two fresh Settles
 * holding 1 000 and 20 000 orders, then the Mongo mode (unless `--no-mongo`). Each server is its own
 * process; autocannon runs in this one. `--smoke` runs every step at tiny sizes.
 */
const options = parseOptions(process.argv.slice(2))
const started = performance.now()
const log = (line: string) =>
  process.stderr.write(`bench: ${((performance.now() - started) / 1000).toFixed(1)} s: ${line}\n`)
const exits: Record<string, number | null> = {}
const loadBefore = loadavg()
if (options.cpuProf !== undefined) mkdirSync(options.cpuProf, { recursive: true })

// `--mongo-only`: the Mongo-mode bench alone (issue 12 items 3 and 4), no other target started.
if (options.mongoOnly) process.exit((await benchMongo(options, log)) ? 0 : 1)
// `--hot`: issue 13's hot coupon + product bench alone, holds piling up batch after batch.
if (options.hot) process.exit((await benchHot(options, log)) ? 0 : 1)

const stop = async (target: Target, name = target.name) => {
  exits[name] = await target.stop()
}

/** Starts targets side by side (each start is mostly waiting); if one fails, stops the others. */
const startAll = async <T extends Target>(starts: ReadonlyArray<Promise<T>>): Promise<Array<T>> => {
  const settled = await Promise.allSettled(starts)
  const failed = settled.find((result) => result.status === "rejected")
  if (failed === undefined) return settled.map((result) => (result as PromiseFulfilledResult<T>).value)
  await Promise.all(settled.map((result) => (result.status === "fulfilled" ? result.value.stop() : null)))
  throw failed.reason
}

// LOG_LEVEL stays at the server's default (info), as deployed; only the secrets are fixed.
// settle-nohist is the same Settle with its HTTP histogram observing nothing: the price of metrics.
const [nodeHello, koaHello, settle, settleNoHistogram] = (await startAll([
  startNodeHello(),
  startKoaHello(),
  startSettleWith("settle", SECRETS, [], settleNodeArgs(options, "settle")),
  startSettleHistogramOff("settle-nohist", SECRETS, settleNodeArgs(options, "settle-nohist")),
])) as [Target, Target, Target, Target]
const stores: Array<Target> = []
try {
  if (options.only === "healthz") {
    log(
      `GET /healthz alone: ${options.warmup} s warm-up each, then ${options.duration} s each in ${options.slices} turns`,
    )
    const results = await timePhase("GET /healthz", () =>
      measureHealthz([nodeHello, koaHello, settle, settleNoHistogram], {
        connections: options.connections,
        seconds: options.duration,
        slices: options.slices,
        warmupSeconds: options.warmup,
      }),
    )
    const clean = reportHealthz(results)
    const problems = await histogramProblems(settle, settleNoHistogram)
    for (const problem of problems) console.log(`PROBLEM: ${problem}`)
    process.exitCode = clean && problems.length === 0 ? 0 : 1
  } else {
    log(
      `GET /healthz: ${options.warmup} s warm-up each, then ${options.duration} s each in ${options.slices} turns`,
    )
    const health = await timePhase("GET /healthz", () =>
      measureInterleaved({
        urls: Object.fromEntries(
          [nodeHello, koaHello, settle, settleNoHistogram].map((t) => [t.name, `${t.url}/healthz`]),
        ),
        connections: options.connections,
        seconds: options.duration,
        slices: options.slices,
        warmupSeconds: options.warmup,
      }),
    )
    const histogram = await histogramProblems(settle, settleNoHistogram)
    await Promise.all([stop(nodeHello), stop(koaHello), stop(settleNoHistogram)])

    log("webhook ingest: opening the shop (admin API), then a warm-up ingest")
    const shop = await openShop(settle.url)
    const webhook = await timePhase("webhook ingest", () =>
      // A smoke run's ingest is a small warm-up and one small batch.
      options.smoke
        ? measureIngest(shop, 0.2, options.slices, options.connections, log, 100)
        : measureIngest(shop, options.duration, options.slices, options.connections, log),
    )
    await stop(settle)

    log("webhook ingest vs stored orders: two fresh servers, filled through the API")
    const sizes = options.smoke ? SMOKE_SCALING : SCALING
    const storeServer = (orders: number) =>
      startMemoryTarget(`settle@${orders}`, SECRETS, settleNodeArgs(options, `settle@${orders}`))
    const [small, large] = (await startAll([storeServer(sizes.small), storeServer(sizes.large)])) as [
      MemoryTarget,
      MemoryTarget,
    ]
    stores.push(small, large)
    const scaling = await timePhase("webhook ingest vs stored orders", () =>
      measureScaling(small, large, sizes, options.connections, log),
    )
    await Promise.all([stop(small), stop(large)])

    const ok = report({
      options,
      nodeHttp: health["node:http"]!,
      koa: health.koa!,
      settleHealthz: health.settle!,
      settleNoHistogram: health["settle-nohist"]!,
      webhook,
      scaling,
      exits,
      loadAverage: { before: loadBefore, after: loadavg() },
    })
    for (const problem of histogram) console.log(`PROBLEM: ${problem}`)
    process.exitCode = ok && histogram.length === 0 ? 0 : 1
    if (options.mongo && !(await timePhase("mongo mode", () => benchMongo(options, log))))
      process.exitCode = 1
  }
} finally {
  writeWindows(options.cpuProf)
  await Promise.all(
    [nodeHello, koaHello, settle, settleNoHistogram, ...stores].map((target) => target.stop()),
  )
}
