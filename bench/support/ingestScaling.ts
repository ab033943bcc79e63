import type { Placed } from "../../packages/server/test/e2e/support/shop.js"
import { combine, type Figures } from "./load.js"
import { type BenchShop, openShop, placeOrders } from "./orders.js"
import { type MemorySample, type MemoryTarget, perOrder, seriesGrowth } from "./profileMemory.js"
import { replayConfirmed } from "./replayWarmup.js"
import { type IngestRun, ingest } from "./webhookIngest.js"

/** The least rate(large) / rate(small) that shows the ingest no longer falls with the store. */
export const MIN_SCALING_RATIO = 0.8

export interface ScalingSizes {
  /** Orders a store holds when its ingest is measured: a fresh demo, and one that has run a while. */
  readonly small: number
  readonly large: number
  /**
   * Orders per filling chunk: every event is signed before its chunk, and the server refuses
   * signatures older than Stripe's 300 s; 2 000 events take a few seconds.
   */
  readonly chunk: number
  /** Measured rounds, each one batch on each store, after one that is not measured. */
  readonly rounds: number
  readonly batch: number
  /**
   * A fresh process needs a few thousand webhooks before its rate settles (JIT, heap sizing): the
   * large store's process has them behind it, the small one's not, and these give the small one its share.
   */
  readonly warmupReplays: number
}

export const SCALING: ScalingSizes = {
  small: 1_000,
  large: 20_000,
  chunk: 2_000,
  rounds: 8,
  batch: 200,
  warmupReplays: 4_000,
}

/** `--smoke`: the same steps at sizes that take a second or two; its ratio means nothing. */
export const SMOKE_SCALING: ScalingSizes = {
  small: 100,
  large: 300,
  chunk: 100,
  rounds: 1,
  batch: 50,
  warmupReplays: 100,
}

/** One filling chunk: the orders stored when it began, its rate and the server's CPU per request. */
export interface Filling {
  readonly stored: number
  readonly rps: number
  readonly cpuMs: number
}

const cpuMsPerRequest = (runs: ReadonlyArray<IngestRun>): number => {
  const cpu = runs.reduce((sum, run) => sum + run.serverCpuSeconds, 0)
  const requests = runs.reduce((sum, run) => sum + run.figures.requests, 0)
  return requests > 0 ? Number(((cpu * 1000) / requests).toFixed(3)) : 0
}

/** One store's side of the comparison. */
export interface ScalePoint {
  /** Each filling chunk, by the orders stored when it began. */
  readonly filling: ReadonlyArray<Filling>
  /** Orders stored when the first measured batch started, and after the last one. */
  readonly storedBefore: number
  readonly storedAfter: number
  /** The measured batches as one measurement, and each on its own. */
  readonly figures: Figures
  readonly batches: ReadonlyArray<Figures>
  /** Server CPU per request over the measured batches, in milliseconds. */
  readonly cpuMsPerRequest: number
  /** Every ingest into this store, filling ones included: each must have finalized its orders once. */
  readonly problems: ReadonlyArray<string>
}

/**
 * The servers' memory (issue 12 item 5), each sample after a full collection: the large store's
 * process at every filling chunk, and both at the same point of the procedure (the unmeasured round
 * done, the warm-up replays behind them) holding `sizes.small` and `sizes.large` orders.
 */
export interface MemoryMeasurement {
  readonly filling: ReadonlyArray<MemorySample>
  readonly small: MemorySample
  readonly large: MemorySample
  /**
   * Least-squares bytes per stored order over the filling samples from the first chunk on: the first
   * chunk also pays for the code the JIT compiles and the pools a fresh process sizes, once.
   */
  readonly rssBytesPerOrder: number
  readonly heapBytesPerOrder: number
  /** Settle's metric names with more series at `sizes.large` orders than at `sizes.small`: must be none. */
  readonly seriesGrowth: ReadonlyArray<string>
}

export interface ScalingMeasurement {
  readonly sizes: ScalingSizes
  readonly small: ScalePoint
  readonly large: ScalePoint
  readonly memory: MemoryMeasurement
  /** rate at sizes.large orders / rate at sizes.small orders, over all measured batches. */
  readonly ratio: number
  /** Server CPU per request at sizes.large / at sizes.small: the same question, less exposed to noise. */
  readonly cpuRatio: number
  readonly fillSeconds: number
}

interface Store {
  readonly target: MemoryTarget
  readonly shop: BenchShop
  readonly memory: Array<MemorySample>
  stored: number
  readonly filling: Array<Filling>
  readonly runs: Array<IngestRun>
  readonly measured: Array<IngestRun>
  /** The orders of the latest ingest, all confirmed by it. */
  latest: ReadonlyArray<Placed>
  readonly replayProblems: Array<string>
}

/** `count` orders placed and finalized through the API: the checkout, then its webhook and redeliveries. */
const ingestOrders = async (store: Store, count: number, connections: number): Promise<IngestRun> => {
  const orders = await placeOrders(store.shop, count)
  const run = await ingest(store.shop, orders, connections)
  store.runs.push(run)
  store.stored += count
  store.latest = orders
  return run
}

const fill = async (
  store: Store,
  target: number,
  chunk: number,
  connections: number,
  log: (line: string) => void,
) => {
  store.memory.push(await store.target.sample(store.stored))
  while (store.stored < target) {
    const stored = store.stored
    const count = Math.min(chunk, target - stored)
    const run = await ingestOrders(store, count, connections)
    store.filling.push({ stored, rps: Math.round(run.figures.rps), cpuMs: cpuMsPerRequest([run]) })
    store.memory.push(await store.target.sample(store.stored))
    log(
      `webhook ingest vs stored orders: ${store.stored} of ${target} stored (${run.figures.rps.toFixed(0)}/s)`,
    )
  }
}

const measureBatch = async (store: Store, orders: number, connections: number, measured: boolean) => {
  const run = await ingestOrders(store, orders, connections)
  if (measured) store.measured.push(run)
}

const pointOf = (store: Store, batch: number): ScalePoint => ({
  filling: store.filling,
  storedBefore: store.stored - store.measured.length * batch,
  storedAfter: store.stored,
  figures: combine(store.measured.map((run) => run.figures)),
  batches: store.measured.map((run) => run.figures),
  cpuMsPerRequest: cpuMsPerRequest(store.measured),
  problems: [
    ...store.runs.flatMap((run) => {
      const failed = run.figures.non2xx + run.figures.errors
      return [
        ...run.verification.problems,
        ...(failed === 0 ? [] : [`${failed} non-2xx answers or connection errors`]),
      ]
    }),
    ...store.replayProblems,
  ],
})

/**
 * Webhook ingest on two fresh servers, one holding `sizes.small` finalized orders and one
 * `sizes.large`, both warmed up alike by replays that store no order, then measured in alternating
 * batches (small, large, small, …) so that load from elsewhere on the machine weighs on both alike.
 * Both stores grow by the same measured orders; every order is one unit of one of the shop's
 * products. Memory is sampled along the way (MemoryMeasurement).
 */
export const measureScaling = async (
  smallServer: MemoryTarget,
  largeServer: MemoryTarget,
  sizes: ScalingSizes,
  connections: number,
  log: (line: string) => void,
): Promise<ScalingMeasurement> => {
  const started = performance.now()
  const open = async (target: MemoryTarget): Promise<Store> => ({
    target,
    shop: await openShop(target.url),
    memory: [],
    stored: 0,
    filling: [],
    runs: [],
    measured: [],
    latest: [],
    replayProblems: [],
  })
  const small = await open(smallServer)
  const large = await open(largeServer)
  // Short of the mark by one batch: the first round is not measured, as the default ingest discards its
  // first batch.
  await fill(small, sizes.small - sizes.batch, sizes.chunk, connections, log)
  await fill(large, sizes.large - sizes.batch, sizes.chunk, connections, log)
  const fillSeconds = (performance.now() - started) / 1000
  log(`webhook ingest vs stored orders: ${sizes.warmupReplays} replays of confirmed orders' events on each`)
  for (const store of [small, large]) {
    store.replayProblems.push(
      ...(await replayConfirmed(store.shop, store.latest, sizes.warmupReplays, connections)),
    )
  }
  log(`webhook ingest vs stored orders: ${sizes.rounds} rounds of ${sizes.batch} orders on each store`)
  let atSize: readonly [MemorySample, MemorySample] | undefined
  for (let round = 0; round <= sizes.rounds; round++) {
    await measureBatch(small, sizes.batch, connections, round > 0)
    await measureBatch(large, sizes.batch, connections, round > 0)
    // Each store now holds its size, and both got the same requests since they started.
    atSize ??= [await small.target.sample(small.stored), await large.target.sample(large.stored)]
  }
  const [smallMemory, largeMemory] = atSize as readonly [MemorySample, MemorySample]
  const filled = large.memory.slice(1)
  const memory: MemoryMeasurement = {
    filling: large.memory,
    small: smallMemory,
    large: largeMemory,
    rssBytesPerOrder: Math.round(perOrder(filled, (s) => s.rssBytes)),
    heapBytesPerOrder: Math.round(perOrder(filled, (s) => s.heapUsedBytes)),
    seriesGrowth: seriesGrowth(smallMemory, largeMemory),
  }
  const smallPoint = pointOf(small, sizes.batch)
  const largePoint = pointOf(large, sizes.batch)
  const ratio = smallPoint.figures.rps > 0 ? largePoint.figures.rps / smallPoint.figures.rps : 0
  const cpuRatio =
    smallPoint.cpuMsPerRequest > 0 ? largePoint.cpuMsPerRequest / smallPoint.cpuMsPerRequest : 0
  return {
    sizes,
    small: smallPoint,
    large: largePoint,
    memory,
    ratio: Number(ratio.toFixed(3)),
    cpuRatio: Number(cpuRatio.toFixed(3)),
    fillSeconds,
  }
}
