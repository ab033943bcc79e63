import { Effect, Layer } from "effect"
import {
  ensureIndexes,
  MongoCouponRepository,
  MongoDatabase,
  MongoProductCatalog,
} from "../../packages/adapters/src/mongo/index.js"
import { CouponRepository, OrderId, ProductCatalog } from "../../packages/domain/src/index.js"
import { aCoupon, aProduct } from "../../packages/testkit/src/fixtures.js"
import type { HotBatch, HotStoreResult } from "./hotCapacity.js"
import { ENDPOINT_BATCHES, endReached, hotResult } from "./hotEndpoints.js"
import { largestIn } from "./hotStores.js"
import { WARMUP_ROUND, WARMUP_ROUNDS } from "./hotWarmup.js"
import type { BenchOptions } from "./options.js"

/**
 * Issue 13's table on the Mongo adapters with the capacity alone: the same hot coupon and product, the
 * same batches and clients, but each "checkout" is only its two holds (the product's, then the coupon's),
 * made through the adapters in this process: what the holds alone cost as they pile up, without HTTP,
 * orders or payment sessions.
 */

const CAPACITY = 1_000_000
const COLLECTIONS = ["products", "coupons", "productplaces", "couponplaces"]

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? 0 : (sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0)
const round1 = (value: number) => Number(value.toFixed(1))

const owners = (units: number, at: Date) => ({
  product: aProduct({ stock: { available: units, reserved: 0, committed: 0 }, createdAt: at, updatedAt: at }),
  coupon: aCoupon({ maxRedemptions: units, available: units, createdAt: at, updatedAt: at }),
})

/** The holds of `count` checkouts at `clients` at once, each pair timed; the refusals' outcomes. */
const batchOf = (ids: ReturnType<typeof owners>, from: number, count: number, clients: number, at: Date) =>
  Effect.gen(function* () {
    const catalog = yield* ProductCatalog
    const coupons = yield* CouponRepository
    const latencies: Array<number> = []
    const refused: Array<string> = []
    const started = performance.now()
    yield* Effect.forEach(
      Array.from({ length: count }, (_, i) => from + i),
      (n: number) =>
        Effect.gen(function* () {
          const orderId = OrderId.make(`ord_hot_${n}`)
          const key = `${orderId}/0`
          const sent = performance.now()
          const product = yield* catalog.hold(ids.product.id, key, orderId, 1, at)
          const coupon = yield* coupons.hold(ids.coupon.id, key, orderId, at)
          latencies.push(performance.now() - sent)
          if (product !== "held" || coupon !== "held")
            refused.push(`${n}: product ${product}, coupon ${coupon}`)
        }),
      { concurrency: clients, discard: true },
    )
    const seconds = (performance.now() - started) / 1000
    const sorted = latencies.sort((a, b) => a - b)
    return { seconds, sorted, refused }
  })

/** The capacity alone on `url` (an atomic Mongo server), in a database of its own, dropped at the end. */
export const capacityAlone = async (
  store: string,
  url: string,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<HotStoreResult> => {
  const name = `${store}, holds alone`
  const dbName = `bench_places_${Date.now()}`
  const batches: Array<HotBatch> = []
  const none = { before: [] as Array<number>, after: [] as Array<number> }
  const problems: Array<string> = []
  const database = MongoDatabase.layer({ uri: url, dbName, maxPoolSize: 20 })
  const layer = Layer.mergeAll(MongoProductCatalog.layer, MongoCouponRepository.layer).pipe(
    Layer.provideMerge(database),
  )
  const program = Effect.gen(function* () {
    const { db } = yield* MongoDatabase.MongoDatabase
    yield* ensureIndexes(db)
    const catalog = yield* ProductCatalog
    const coupons = yield* CouponRepository
    const at = new Date()
    for (let round = 0; round < WARMUP_ROUNDS; round++) {
      const warm = owners(WARMUP_ROUND, at)
      yield* catalog.insert(warm.product)
      yield* coupons.insert(warm.coupon)
      const warmup = yield* batchOf(warm, 0, WARMUP_ROUND, options.hotClients, at)
      if (warmup.refused.length > 0) {
        problems.push(`warm-up: ${warmup.refused.length} refused; first: ${warmup.refused[0]}`)
        break
      }
    }
    // A batch on a fresh coupon and product of their own: the rate with none open on them.
    const noneBatch = (when: "before" | "after") =>
      Effect.gen(function* () {
        const fresh = owners(CAPACITY, at)
        yield* catalog.insert(fresh.product)
        yield* coupons.insert(fresh.coupon)
        const run = yield* batchOf(fresh, 0, options.hotBatch, options.hotClients, at)
        if (run.refused.length > 0)
          problems.push(`${when}: ${run.refused.length} refused; first: ${run.refused[0]}`)
        const rps = round1((options.hotBatch - run.refused.length) / run.seconds)
        log(`hot ${name}: none open (${when}), ${rps} hold pairs/s`)
        none[when].push(rps)
      })
    for (let n = 0; n < ENDPOINT_BATCHES; n++) yield* noneBatch("before")
    const hot = owners(CAPACITY, at)
    yield* catalog.insert(hot.product)
    yield* coupons.insert(hot.coupon)
    let held = 0
    let largest = { bytes: 0, where: "-" }
    for (;;) {
      const size =
        held < options.hotHolds ? Math.min(options.hotBatch, options.hotHolds - held) : options.hotBatch
      const run = yield* batchOf(hot, held, size, options.hotClients, at)
      const document = yield* Effect.promise(() => largestIn(db, COLLECTIONS))
      if (document.bytes > largest.bytes) largest = document
      const batch: HotBatch = {
        holdsBefore: held,
        storedHoldsBefore: held,
        checkouts: size - run.refused.length,
        seconds: round1(run.seconds),
        rps: round1((size - run.refused.length) / run.seconds),
        p50Ms: round1(percentile(run.sorted, 0.5)),
        p99Ms: round1(percentile(run.sorted, 0.99)),
        refused: run.refused.length,
        largestDocument: document,
      }
      batches.push(batch)
      log(
        `hot ${name}: ${held} open holds before, ${batch.rps} hold pairs/s, p50 ${batch.p50Ms} ms, p99 ${batch.p99Ms} ms, largest document ${(document.bytes / 1024).toFixed(1)} KB`,
      )
      if (run.refused.length > 0) {
        problems.push(`at ${held} open holds: ${run.refused.length} refused; first: ${run.refused[0]}`)
        break
      }
      held += size
      if (endReached(batches, options.hotHolds)) break
    }
    if (problems.length === 0) for (let n = 0; n < ENDPOINT_BATCHES; n++) yield* noneBatch("after")
    const product = yield* catalog.findById(hot.product.id)
    const coupon = yield* coupons.findById(hot.coupon.id)
    if (product._tag === "Some" && product.value.stock.reserved !== held)
      problems.push(`product reserved ${product.value.stock.reserved}, ${held} held`)
    if (coupon._tag === "Some" && coupon.value.reservedCount !== held)
      problems.push(`coupon reservedCount ${coupon.value.reservedCount}, ${held} held`)
    yield* Effect.promise(() => db.dropDatabase())
    return largest
  })
  const largest = await Effect.runPromise(Effect.provide(program, layer).pipe(Effect.scoped))
  return hotResult(
    { store: name, per: "hold pairs", batches, none, largestDocument: largest, problems, notes: [] },
    options.hotHolds,
  )
}
