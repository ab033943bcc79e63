import { loadavg } from "node:os"
import { SECRETS } from "../packages/server/test/e2e/support/shop.js"
import { benchHot } from "./support/hotCapacity.js"
import { measureScaling, SCALING, SMOKE_SCALING } from "./support/ingestScaling.js"
import { measureInterleaved } from "./support/load.js"
import { benchMongo } from "./support/mongoBench.js"
import { parseOptions, settleNodeArgs } from "./support/options.js"
import { openShop } from "./support/orders.js"
import { startMemoryTarget } from "./support/profileMemory.js"
import { report } from "./support/report.js"
import { startKoaHello, startNodeHello, startSettleWith, type Target } from "./support/targets.js"
import { measureIngest } from "./support/webhookIngest.js"

/**
 * `pnpm bench`: GET /healthz on Settle's embedded default against bare Koa and bare node:http, then
 * Stripe webhook ingest on Settle, then that ingest (and the server's memory) on two fresh Settles
 * holding 1 000 and 20 000 orders, then the Mongo mode (unless `--no-mongo`). Each server is its own
 * process; autocannon runs in this one. `--smoke` runs every step at tiny sizes.
 */
const options = parseOptions(process.argv.slice(2))
const log = (line: string) => process.stderr.write(`bench: ${line}\n`)
const exits: Record<string, number | null> = {}
const loadBefore = loadavg()

// `--mongo-only`: the Mongo-mode bench alone (issue 12 items 3 and 4), no other target started.
if (options.mongoOnly) process.exit((await benchMongo(options, log)) ? 0 : 1)
// `--hot`: issue 13's hot coupon + product bench alone, holds piling up batch after batch.
if (options.hot) process.exit((await benchHot(options, log)) ? 0 : 1)

const stop = async (target: Target, name = target.name) => {
  exits[name] = await target.stop()
}

const nodeHello = await startNodeHello()
const koaHello = await startKoaHello()
// LOG_LEVEL stays at the server's default (info), as deployed; only the secrets are fixed.
const settle = await startSettleWith("settle", SECRETS, [], settleNodeArgs(options, "settle"))
const stores: Array<Target> = []
try {
  log(
    `GET /healthz: ${options.warmup} s warm-up each, then ${options.duration} s each in ${options.slices} turns`,
  )
  const health = await measureInterleaved({
    urls: Object.fromEntries([nodeHello, koaHello, settle].map((t) => [t.name, `${t.url}/healthz`])),
    connections: options.connections,
    seconds: options.duration,
    slices: options.slices,
    warmupSeconds: options.warmup,
  })
  await Promise.all([stop(nodeHello), stop(koaHello)])

  log("webhook ingest: opening the shop (admin API), then a warm-up ingest")
  const shop = await openShop(settle.url)
  const webhook = await measureIngest(shop, options.duration, options.slices, options.connections, log)
  await stop(settle)

  log("webhook ingest vs stored orders: two fresh servers, filled through the API")
  const small = await startSettle(SECRETS)
  stores.push(small)
  const large = await startSettle(SECRETS)
  stores.push(large)
  const scaling = await measureScaling(small.url, large.url, options.connections, log)
  await Promise.all([stop(small, `settle@${SMALL_STORE}`), stop(large, `settle@${LARGE_STORE}`)])

  const ok = report({
    options,
    nodeHttp: health["node:http"]!,
    koa: health.koa!,
    settleHealthz: health.settle!,
    webhook,
    scaling,
    exits,
    loadAverage: { before: loadBefore, after: loadavg() },
  })
  process.exitCode = ok ? 0 : 1
  if (options.mongo && !(await benchMongo(options, log))) process.exitCode = 1
} finally {
  await Promise.all([nodeHello, koaHello, settle, ...stores].map((target) => target.stop()))
}
