import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type * as Mongo from "../../packages/adapters/node_modules/mongodb/mongodb.js"
import {
  type MongoPeer,
  startFerretDB,
  startMongoJavaServer,
} from "../../packages/adapters/test/support/mongoPeers.js"
import { metric } from "../../packages/server/test/e2e/support/http.js"
import {
  cartOf,
  createProduct,
  type Placed,
  type ProductView,
  SECRETS,
} from "../../packages/server/test/e2e/support/shop.js"
import { completed, signed } from "../../packages/server/test/e2e/support/stripeEvents.js"
import { type HttpFloor, measureFloor } from "./httpFloor.js"
import { type BenchOptions, settleNodeArgs } from "./options.js"
import { type BenchShop, inPool, openShop, placeOrders } from "./orders.js"
import { type Recording, Replayer, type ReplayStats, type WebhookJob, webhookJobs } from "./replayer.js"
import { candidates, type Recorded, roundTripTable } from "./roundTrips.js"
import { autocannon } from "./serverDeps.js"
import { startSettleWith } from "./targets.js"
import { fromFigures, ownCpuMs, perRequest, type Timed, timed, timedPool } from "./timed.js"
import { type IngestRun, ingest } from "./webhookIngest.js"

/*
 * Why record and replay: "the same store operations" is, by construction, what Settle itself sent.
 * A recording Settle process (bench/support/mongoRecorder.ts, command monitoring on) handles one
 * checkout, its fresh delivery and a redelivery; the bare driver then sends those commands again
 * with db.command, operation by operation in the recorded order, per-order ids swapped for fresh
 * ones, at the same number of operations in flight as Settle's HTTP connections and as many of each
 * as Settle handled in the same run. A hand-written baseline would drift from the adapters the
 * moment they change; this one measures whatever they send today. What it leaves out: Settle's HTTP,
 * validation, domain and Effect layers, which is exactly what the ratio is meant to price. The HTTP
 * floor (bench/targets/replayHttp.ts) splits that price: the same replay behind bare node:http in a
 * process of its own, driven by autocannon as Settle is, costs what any server in front of the store
 * costs (floor/bare driver); what Settle costs beyond it is its own layers (settle/floor).
 */
const root = fileURLToPath(new URL("../..", import.meta.url))
const recorderModule = new URL("./mongoRecorder.ts", import.meta.url).href
const fromAdapters = createRequire(new URL("../../packages/adapters/package.json", import.meta.url))
const mongo = fromAdapters("mongodb") as typeof Mongo

/** The issue's target (issue 12, item 3): Settle at least 0.7× the bare driver replaying its commands. */
export const MIN_MONGO_RATIO = 0.7
/** docs/runbook.md: "Baseline: p95 < 300ms steady". */
export const RUNBOOK_P95_MS = 300
const PRODUCTS = 64
const STOCK = 10_000_000
/** The suite's smoke only shows the path runs and verifies: a few orders of warm-up, not seconds. */
const SMOKE_WARMUP = 5

type Log = (line: string) => void

interface Server {
  readonly name: string
  readonly url: string
  /** FerretDB races conditional writes; Settle starts on it only when told so. */
  readonly nonAtomic: boolean
  readonly stop: () => Promise<void>
}

/** MONGO_URL when set (one server), else each loopback server the tests use, started one at a time. */
const serverStarters = (): Array<() => Promise<Server>> => {
  const external = process.env.MONGO_URL
  if (external !== undefined && external !== "")
    // The suite's smoke names the peer it passes and says when it races (FerretDB).
    return [
      async () => ({
        name: process.env.BENCH_MONGO_SERVER ?? "MONGO_URL",
        url: external,
        nonAtomic: process.env.ALLOW_NON_ATOMIC_STORE === "true",
        stop: async () => {},
      }),
    ]
  const of = (name: string, nonAtomic: boolean, peer: MongoPeer): Server => ({ name, nonAtomic, ...peer })
  return [
    async () => of("ferretdb", true, await startFerretDB(root)),
    async () => of("mongo-java-server", false, await startMongoJavaServer(root)),
  ]
}

const settleCpuSeconds = (baseUrl: string) => metric(baseUrl, "process_cpu_seconds_total")

const settleEnv = (server: Server, database: string): Record<string, string> => ({
  ...SECRETS,
  MONGO_URI: server.url,
  MONGO_DB_NAME: database,
  PAYMENTS: "sandbox",
  ...(server.nonAtomic ? { ALLOW_NON_ATOMIC_STORE: "true" } : {}),
})

/**
 * `seconds` of POST /api/v1/checkout at `connections`, one unit of a product each (round robin over
 * the shop's), timing every request itself: autocannon reports p97.5 but no p95.
 */
export const timedCheckouts = async (
  shop: BenchShop,
  seconds: number,
  connections: number,
): Promise<{ readonly timed: Timed; readonly placed: Array<Placed>; readonly refused: Array<string> }> => {
  const placed: Array<Placed> = []
  const refused: Array<string> = []
  const latencies: Array<number> = []
  let next = 0
  const started = performance.now()
  let last = started
  await autocannon({
    url: shop.baseUrl,
    connections,
    pipelining: 1,
    duration: seconds,
    requests: [
      {
        method: "POST",
        path: "/api/v1/checkout",
        setupRequest: (request, context) => {
          ;(context as { sentAt?: number }).sentAt = performance.now()
          return {
            ...request,
            headers: { "content-type": "application/json" },
            body: JSON.stringify(cartOf(shop.products[next++ % shop.products.length] as ProductView, 1)),
          }
        },
        onResponse: (status, body, context) => {
          last = performance.now()
          const { sentAt } = context as { sentAt?: number }
          if (sentAt !== undefined) latencies.push(last - sentAt)
          if (status === 201) placed.push(JSON.parse(body) as Placed)
          else refused.push(`${status} ${body.slice(0, 200)}`)
        },
      },
    ],
  })
  return { timed: timed(latencies, (last - started) / 1000), placed, refused }
}

// ---------------------------------------------------------------------------------------------------
// Recording: what Settle sends the store for one checkout, one fresh delivery and one duplicate.
// ---------------------------------------------------------------------------------------------------

const record = async (server: Server, log: Log): Promise<Recording> => {
  const dir = mkdtempSync(join(tmpdir(), "settle-bench-mongo-"))
  const file = join(dir, "commands.jsonl")
  writeFileSync(file, "")
  const database = `bench_replay_${Date.now()}`
  const recorder = await startSettleWith(
    `settle-recording@${server.name}`,
    { ...settleEnv(server, database), BENCH_MONGO_RECORD: file },
    [recorderModule],
  )
  try {
    log(`mongo ${server.name}: recording one checkout, one fresh and one duplicate delivery`)
    const products = await inPool(Array.from({ length: PRODUCTS }), 4, () =>
      createProduct(recorder.url, STOCK),
    )
    const product = products[0] as ProductView
    let seen = 0
    const since = (): Array<Recorded> => {
      const lines = readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line !== "")
      const fresh = lines.slice(seen).map((line) => JSON.parse(line) as Recorded)
      seen = lines.length
      return fresh
    }
    const checkout = async () => {
      const answer = await fetch(`${recorder.url}/api/v1/checkout`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(cartOf(product, 1)),
      })
      if (answer.status !== 201) throw new Error(`checkout answered ${answer.status}: ${await answer.text()}`)
      return (await answer.json()) as Placed
    }
    const deliver = async (delivery: ReturnType<typeof signed>) => {
      const answer = await fetch(`${recorder.url}/api/v1/webhooks/stripe`, {
        method: "POST",
        headers: { "content-type": "application/json", "stripe-signature": delivery.header },
        body: delivery.payload,
      })
      if (answer.status >= 300) throw new Error(`webhook answered ${answer.status}: ${await answer.text()}`)
    }
    // A first order through the whole path, unrecorded: connections and lazy set-up are done by then.
    const first = await checkout()
    await deliver(signed(completed(first)))
    since()
    const a = await checkout()
    const checkoutA = since()
    const b = await checkout()
    const checkoutB = since()
    const deliveryA = signed(completed(a))
    await deliver(deliveryA)
    const freshA = since()
    await deliver(signed(completed(b)))
    const freshB = since()
    await deliver(deliveryA)
    const duplicateA = since()
    return {
      database,
      products,
      product,
      checkout: checkoutA,
      fresh: freshA,
      duplicate: duplicateA,
      second: [...checkoutB, ...freshB],
    }
  } finally {
    await recorder.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------------
// One server: record, measure Settle, replay with the bare driver, then behind the HTTP floor.
// ---------------------------------------------------------------------------------------------------

export interface MongoServerResult {
  readonly server: string
  readonly roundTrips: { readonly checkout: number; readonly fresh: number; readonly duplicate: number }
  readonly roundTripTable: string
  readonly candidates: ReadonlyArray<string>
  readonly settle: { readonly checkout: Timed; readonly webhook: Timed }
  readonly baseline: { readonly checkout: Timed; readonly webhook: Timed }
  readonly ratios: { readonly checkout: number; readonly webhook: number }
  readonly replay: ReplayStats
  /** The same replay behind node:http in a process of its own, driven as Settle is (bench/targets/replayHttp.ts). */
  readonly floor: HttpFloor
  /** floor/bare driver: what HTTP transport alone costs; settle/floor: what Settle's own layers cost. */
  readonly transportRatios: { readonly checkout: number; readonly webhook: number }
  readonly settleOverFloor: { readonly checkout: number; readonly webhook: number }
  /**
   * CPU per request of the process serving it (Settle's, the floor's, the bench's replaying in process),
   * which other work on the machine barely moves; the store's own CPU is not in it.
   */
  readonly cpuMsPerRequest: Record<
    "settle" | "floor" | "bare",
    { readonly checkout: number; readonly webhook: number }
  >
  /** The recorded commands themselves (canonical Extended JSON), one order's worth. */
  readonly recorded: Record<"checkout" | "fresh" | "duplicate", ReadonlyArray<unknown>>
  readonly verification: IngestRun["verification"]
  readonly problems: ReadonlyArray<string>
}

const ratio = (a: Timed, b: Timed) => (b.rps > 0 ? Number((a.rps / b.rps).toFixed(3)) : 0)

const benchServer = async (server: Server, options: BenchOptions, log: Log): Promise<MongoServerResult> => {
  const recording = await record(server, log)
  const problems: Array<string> = []
  // Settle, not recording, on a database of its own.
  const settle = await startSettleWith(
    `settle@${server.name}`,
    settleEnv(server, `bench_settle_${Date.now()}`),
    [],
    settleNodeArgs(options, `settle@${server.name}`),
  )
  let checkout: Awaited<ReturnType<typeof timedCheckouts>>
  let warmupOrders: number
  let checkoutCpuMs: number
  let webhook: IngestRun
  try {
    const shop = await openShop(settle.url)
    log(
      `mongo ${server.name}: Settle warm-up (${options.mongoSeconds} s of checkouts and their webhooks), then as much measured`,
    )
    // As long as the measured window: a short warm-up measured Settle while V8 was still compiling the
    // driver's, Effect's and Settle's code (a quarter to a third of its CPU in the first seconds after 40
    // orders), which the replays, far less code, finish sooner. Both replays warm up on as many orders.
    const warm = options.smoke
      ? { placed: await placeOrders(shop, SMOKE_WARMUP), refused: [] }
      : await timedCheckouts(shop, options.mongoSeconds, options.connections)
    if (warm.refused.length > 0)
      problems.push(`${warm.refused.length} warm-up checkouts refused; first: ${warm.refused[0]}`)
    warmupOrders = warm.placed.length
    await ingest(shop, warm.placed, options.connections)
    const cpuBefore = await settleCpuSeconds(shop.baseUrl)
    checkout = await timedCheckouts(shop, options.mongoSeconds, options.connections)
    checkoutCpuMs = ((await settleCpuSeconds(shop.baseUrl)) - cpuBefore) * 1000
    if (checkout.refused.length > 0)
      problems.push(`${checkout.refused.length} checkouts refused; first: ${checkout.refused[0]}`)
    webhook = await ingest(shop, checkout.placed, options.connections)
    problems.push(...webhook.verification.problems)
    if (webhook.figures.non2xx + webhook.figures.errors > 0)
      problems.push(`webhook: ${webhook.figures.non2xx} non-2xx, ${webhook.figures.errors} errors`)
  } finally {
    const code = await settle.stop()
    if (code !== 0) problems.push(`settle@${server.name} exited with ${code}`)
  }
  // The bare driver, replaying the recording on the recorded database, as many orders and
  // duplicates as Settle handled, at the same concurrency.
  log(`mongo ${server.name}: bare driver replaying the recorded commands`)
  // Settle's pool (MongoDatabase's default maxPoolSize); 20 operations in flight use at most 20 either way.
  const client = new mongo.MongoClient(server.url, { maxPoolSize: 20 })
  try {
    await client.connect()
    const replayer = new Replayer(client, recording)
    for (let i = 0; i < warmupOrders; i++) {
      await replayer.replay(recording.checkout, i)
      await replayer.replay(recording.fresh, i)
    }
    const orders = checkout.placed.length
    const base = warmupOrders
    // This process does nothing else meanwhile: its CPU is the replay's.
    const cpuBefore = ownCpuMs()
    const baseCheckout = await timedPool(orders, options.connections, (i) =>
      replayer.replay(recording.checkout, base + i),
    )
    const cpuBetween = ownCpuMs()
    const duplicates = webhook.duplicatesSent
    const jobs = webhookJobs(orders, duplicates, base, options.connections)
    const baseWebhook = await timedPool(jobs.length, options.connections, (i) =>
      replayer.replayJob(jobs[i] as WebhookJob),
    )
    const cpuAfter = ownCpuMs()
    if (replayer.stats.writeErrors > 0)
      problems.push(
        `baseline replay: ${replayer.stats.writeErrors} write errors (the replay is not faithful)`,
      )
    // After the in-process replay rather than before or alternating with it: the issue's baseline is
    // then measured as it was before the floor existed, and each replay starts from the products as
    // Settle's run did (every hold of the replay before committed); interleaved, one replay's open
    // holds would sit in the other's product documents.
    const floor = await measureFloor(
      server.name,
      {
        url: server.url,
        recording,
        first: base + orders,
        warmup: warmupOrders,
        orders,
        duplicates,
        connections: options.connections,
      },
      checkout.placed,
      log,
      problems,
    )
    const settleCheckout = checkout.timed
    const settleWebhook = fromFigures(webhook.figures)
    return {
      server: server.name,
      roundTrips: {
        checkout: recording.checkout.length,
        fresh: recording.fresh.length,
        duplicate: recording.duplicate.length,
      },
      roundTripTable: roundTripTable([
        ["checkout", recording.checkout],
        ["fresh delivery", recording.fresh],
        ["duplicate delivery", recording.duplicate],
      ]),
      candidates: [
        ...candidates(recording.checkout).map((c) => `checkout ${c}`),
        ...candidates(recording.fresh).map((c) => `fresh delivery ${c}`),
        ...candidates(recording.duplicate).map((c) => `duplicate delivery ${c}`),
      ],
      settle: { checkout: settleCheckout, webhook: settleWebhook },
      baseline: { checkout: baseCheckout, webhook: baseWebhook },
      ratios: { checkout: ratio(settleCheckout, baseCheckout), webhook: ratio(settleWebhook, baseWebhook) },
      replay: replayer.stats,
      floor,
      transportRatios: {
        checkout: ratio(floor.checkout, baseCheckout),
        webhook: ratio(floor.webhook, baseWebhook),
      },
      settleOverFloor: {
        checkout: ratio(settleCheckout, floor.checkout),
        webhook: ratio(settleWebhook, floor.webhook),
      },
      cpuMsPerRequest: {
        settle: {
          checkout: perRequest(checkoutCpuMs, settleCheckout.count),
          webhook: perRequest(webhook.serverCpuSeconds * 1000, webhook.figures.requests),
        },
        floor: floor.cpuMsPerRequest,
        bare: {
          checkout: perRequest(cpuBetween - cpuBefore, baseCheckout.count),
          webhook: perRequest(cpuAfter - cpuBetween, baseWebhook.count),
        },
      },
      recorded: {
        checkout: recording.checkout.map((c) => JSON.parse(c.command)),
        fresh: recording.fresh.map((c) => JSON.parse(c.command)),
        duplicate: recording.duplicate.map((c) => JSON.parse(c.command)),
      },
      verification: webhook.verification,
      problems,
    }
  } finally {
    await client
      .db(recording.database)
      .dropDatabase()
      .catch(() => undefined)
    await client.close()
  }
}

/** Checkout p95 at `connections` on the embedded default, for the latency table. */
const embeddedCheckout = async (options: BenchOptions, log: Log): Promise<Timed> => {
  const settle = await startSettleWith(
    "settle-embedded-checkout",
    SECRETS,
    [],
    settleNodeArgs(options, "settle-embedded-checkout"),
  )
  try {
    log(`embedded default: warm-up, then ${options.mongoSeconds} s of checkouts`)
    const shop = await openShop(settle.url)
    await placeOrders(shop, 200)
    const run = await timedCheckouts(shop, options.mongoSeconds, options.connections)
    if (run.refused.length > 0) throw new Error(`embedded checkouts refused: ${run.refused[0]}`)
    return run.timed
  } finally {
    await settle.stop()
  }
}

const cpuOf = ({ cpuMsPerRequest: cpu }: MongoServerResult, operation: "checkout" | "webhook") =>
  `${cpu.settle[operation]} / ${cpu.floor[operation]} / ${cpu.bare[operation]}`

const row = (label: string, t: Timed) =>
  `${label.padEnd(44)}${t.rps.toFixed(1).padStart(9)}${String(t.p50Ms).padStart(8)}${(Number.isNaN(t.p95Ms) ? "-" : String(t.p95Ms)).padStart(8)}${String(t.p99Ms).padStart(8)}${String(t.count).padStart(8)}${t.seconds.toFixed(1).padStart(8)}`

/**
 * Issue 12 items 3 and 4: checkout and webhook ingest on the Mongo adapters against each server,
 * next to the bare driver replaying the same commands, in process and behind the HTTP floor; the round trips behind them; checkout p95 at
 * `--connections` on the embedded default and on each server. Prints its own report; answers whether
 * every verification held (a ratio under its target is reported, not failed: this is the yardstick).
 */
export const benchMongo = async (options: BenchOptions, log: Log): Promise<boolean> => {
  const embedded = await embeddedCheckout(options, log)
  const results: Array<MongoServerResult> = []
  for (const startServer of serverStarters()) {
    const server = await startServer()
    try {
      results.push(await benchServer(server, options, log))
    } finally {
      await server.stop()
    }
  }
  const head = `${"mongo mode".padEnd(44)}${"ops/s".padStart(9)}${"p50 ms".padStart(8)}${"p95 ms".padStart(8)}${"p99 ms".padStart(8)}${"count".padStart(8)}${"seconds".padStart(8)}`
  console.log(`\n${head}\n${"-".repeat(head.length)}`)
  console.log(row("embedded    POST checkout", embedded))
  for (const r of results) {
    console.log(row(`${r.server.padEnd(18)}settle checkout`, r.settle.checkout))
    console.log(row(`${r.server.padEnd(18)}http floor checkout`, r.floor.checkout))
    console.log(row(`${r.server.padEnd(18)}bare driver checkout`, r.baseline.checkout))
    console.log(row(`${r.server.padEnd(18)}settle webhook (20% dup)`, r.settle.webhook))
    console.log(row(`${r.server.padEnd(18)}http floor webhook`, r.floor.webhook))
    console.log(row(`${r.server.padEnd(18)}bare driver webhook`, r.baseline.webhook))
  }
  console.log(
    `\nmongo ratios (settle/bare driver, target ≥ ${MIN_MONGO_RATIO}): ${results.map((r) => `${r.server} checkout ${r.ratios.checkout} webhook ${r.ratios.webhook}`).join("; ")}`,
  )
  console.log(
    `mongo transport (floor/bare driver: an HTTP server in front of the store, nothing else): ${results.map((r) => `${r.server} checkout ${r.transportRatios.checkout} webhook ${r.transportRatios.webhook}`).join("; ")}`,
  )
  console.log(
    `settle/floor (Settle's own layers on that transport): ${results.map((r) => `${r.server} checkout ${r.settleOverFloor.checkout} webhook ${r.settleOverFloor.webhook}`).join("; ")}`,
  )
  console.log(
    `mongo cpu per request, ms (settle / http floor / bare driver, each its own process): ${results.map((r) => `${r.server} checkout ${cpuOf(r, "checkout")} webhook ${cpuOf(r, "webhook")}`).join("; ")}`,
  )
  console.log(
    `checkout p95 at ${options.connections} connections (runbook baseline p95 < ${RUNBOOK_P95_MS} ms): embedded ${embedded.p95Ms} ms; ${results.map((r) => `${r.server} ${r.settle.checkout.p95Ms} ms`).join("; ")}`,
  )
  for (const r of results) {
    const v = r.verification
    console.log(
      `\n${r.server}: webhook server counted ${JSON.stringify(v.serverCounted)}; committed units ${v.committedUnits}; sampled orders confirmed ${v.sampledOrders.confirmed}/${v.sampledOrders.read}; replay ${JSON.stringify(r.replay)}`,
    )
    console.log(`${r.server}: http floor replay ${JSON.stringify(r.floor.replay)}`)
    console.log(
      `${r.server}: store round trips (commands Settle sent; one order, recorded)\n${r.roundTripTable}`,
    )
    console.log(
      `${r.server}: round trips the sequence alone flags (those kept, and why: docs/performance.md):`,
    )
    for (const c of r.candidates) console.log(`  - ${c}`)
    for (const ratioName of ["checkout", "webhook"] as const)
      if (r.ratios[ratioName] < MIN_MONGO_RATIO)
        console.log(`BELOW TARGET: ${r.server} ${ratioName} ${r.ratios[ratioName]} < ${MIN_MONGO_RATIO}`)
  }
  const problems = results.flatMap((r) => r.problems.map((p) => `${r.server}: ${p}`))
  for (const problem of problems) console.log(`PROBLEM: ${problem}`)
  console.log(
    JSON.stringify(
      {
        mongo: {
          minRatio: MIN_MONGO_RATIO,
          runbookP95Ms: RUNBOOK_P95_MS,
          embeddedCheckout: embedded,
          servers: results.map(({ roundTripTable: _, ...r }) => r),
          ok: problems.length === 0,
        },
      },
      null,
      2,
    ),
  )
  return problems.length === 0
}
