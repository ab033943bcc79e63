import type { Placed } from "../../packages/server/test/e2e/support/shop.js"
import { combine, type Figures } from "./load.js"
import { type BenchShop, openShop, placeOrders } from "./orders.js"
import { replayConfirmed } from "./replayWarmup.js"
import { type IngestRun, ingest } from "./webhookIngest.js"

/** Orders a store holds when its ingest is measured: a fresh demo, and one that has run a while. */
export const SMALL_STORE = 1_000
export const LARGE_STORE = 20_000
/** The least rate(LARGE_STORE) / rate(SMALL_STORE) that shows the ingest no longer falls with the store. */
export const MIN_SCALING_RATIO = 0.8

// Fill in chunks: every event is signed before its chunk, and the server refuses signatures older
// than Stripe's 300 s; 2 000 events take a few seconds.
const FILL_CHUNK = 2_000
const ROUNDS = 8
const BATCH_ORDERS = 200
// A fresh process needs a few thousand webhooks before its rate settles (JIT, heap sizing): the large
// store's process has them behind it, the small one's not, and these give the small one its share.
const WARMUP_REPLAYS = 4_000

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

export interface ScalingMeasurement {
  readonly small: ScalePoint
  readonly large: ScalePoint
  /** rate at LARGE_STORE orders / rate at SMALL_STORE orders, over all measured batches. */
  readonly ratio: number
  /** Server CPU per request at LARGE_STORE / at SMALL_STORE: the same question, less exposed to noise. */
  readonly cpuRatio: number
  readonly fillSeconds: number
}

interface Store {
  readonly shop: BenchShop
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

const fill = async (store: Store, target: number, connections: number, log: (line: string) => void) => {
  while (store.stored < target) {
    const stored = store.stored
    const count = Math.min(FILL_CHUNK, target - stored)
    const run = await ingestOrders(store, count, connections)
    store.filling.push({ stored, rps: Math.round(run.figures.rps), cpuMs: cpuMsPerRequest([run]) })
    log(
      `webhook ingest vs stored orders: ${store.stored} of ${target} stored (${run.figures.rps.toFixed(0)}/s)`,
    )
  }
}

const measureBatch = async (store: Store, connections: number, measured: boolean) => {
  const run = await ingestOrders(store, BATCH_ORDERS, connections)
  if (measured) store.measured.push(run)
}

const pointOf = (store: Store): ScalePoint => ({
  filling: store.filling,
  storedBefore: store.stored - store.measured.length * BATCH_ORDERS,
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
 * Webhook ingest on two fresh servers, one holding SMALL_STORE finalized orders and one LARGE_STORE,
 * both warmed up alike by replays that store no order, then measured in alternating batches (small,
 * large, small, …) so that load from elsewhere on the machine weighs on both alike. Both stores grow by the same measured orders, from SMALL_STORE and from
 * LARGE_STORE; every order is one unit of one of the shop's products.
 */
export const measureScaling = async (
  smallUrl: string,
  largeUrl: string,
  connections: number,
  log: (line: string) => void,
): Promise<ScalingMeasurement> => {
  const started = performance.now()
  const open = async (baseUrl: string): Promise<Store> => ({
    shop: await openShop(baseUrl),
    stored: 0,
    filling: [],
    runs: [],
    measured: [],
    latest: [],
    replayProblems: [],
  })
  const small = await open(smallUrl)
  const large = await open(largeUrl)
  // Short of the mark by one batch: the first round is not measured, as the default ingest discards its
  // first batch.
  await fill(small, SMALL_STORE - BATCH_ORDERS, connections, log)
  await fill(large, LARGE_STORE - BATCH_ORDERS, connections, log)
  const fillSeconds = (performance.now() - started) / 1000
  log(`webhook ingest vs stored orders: ${WARMUP_REPLAYS} replays of confirmed orders' events on each`)
  for (const store of [small, large]) {
    store.replayProblems.push(
      ...(await replayConfirmed(store.shop, store.latest, WARMUP_REPLAYS, connections)),
    )
  }
  log(`webhook ingest vs stored orders: ${ROUNDS} rounds of ${BATCH_ORDERS} orders on each store`)
  for (let round = 0; round <= ROUNDS; round++) {
    await measureBatch(small, connections, round > 0)
    await measureBatch(large, connections, round > 0)
  }
  const smallPoint = pointOf(small)
  const largePoint = pointOf(large)
  const ratio = smallPoint.figures.rps > 0 ? largePoint.figures.rps / smallPoint.figures.rps : 0
  const cpuRatio =
    smallPoint.cpuMsPerRequest > 0 ? largePoint.cpuMsPerRequest / smallPoint.cpuMsPerRequest : 0
  return {
    small: smallPoint,
    large: largePoint,
    ratio: Number(ratio.toFixed(3)),
    cpuRatio: Number(cpuRatio.toFixed(3)),
    fillSeconds,
  }
}
