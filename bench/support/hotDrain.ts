import { randomUUID } from "node:crypto"
import { type Answer, call, postJson } from "../../packages/server/test/e2e/support/http.js"
import { bearer, type Placed } from "../../packages/server/test/e2e/support/shop.js"
import { completed, deliver } from "../../packages/server/test/e2e/support/stripeEvents.js"
import { couponNow, type HotShop, openHotShop, productNow } from "./hotShop.js"
import { type HotTarget, hotStores } from "./hotStores.js"
import { type BenchOptions, settleNodeArgs } from "./options.js"
import { inPool } from "./orders.js"

/**
 * Issue 13's second "done means": a coupon of `limit` redemptions redeemed to exactly its limit, with
 * counters, holds and reservation records agreeing at the end and the repair job reporting no drift.
 * `limit` checkouts (one unit of a product with stock to spare, the coupon) and one per client more,
 * which must all be refused as exhausted, in batches of `--hot-batch`, each batch's orders paid
 * through a signed `checkout.session.completed` before the next; then the admin API's counters, the
 * order-health panels, the reservation records (Mongo) and a repair run are read.
 */
export interface DrainResult {
  readonly limit: number
  readonly placed: number
  readonly refusedPastLimit: number
  readonly paid: number
  readonly seconds: { readonly checkouts: number; readonly payments: number }
  readonly coupon: Readonly<Record<string, unknown>>
  readonly stock: unknown
  readonly couponReservationLeaks: unknown
  /** By status, where the store can be read (Mongo); null on the embedded default. */
  readonly reservations: Readonly<Record<string, number>> | null
  readonly repair: unknown
  readonly problems: ReadonlyArray<string>
}

const EXHAUSTED = "COUPON_UNAVAILABLE"

const seconds = (since: number) => Number(((performance.now() - since) / 1000).toFixed(1))

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/**
 * A request sent again when the connection fails before an answer (a reset while the server paused
 * for a full collection of a heap of hundreds of thousands of orders), as Stripe resends a delivery
 * and as a shop's client retries a checkout under its Idempotency-Key: the store decides it once.
 */
const untilAnswered = async (send: () => Promise<Answer>): Promise<Answer> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send()
    } catch (error) {
      if (attempt === 5) throw error
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt))
    }
  }
}

export const drainCoupon = async (
  target: HotTarget,
  limit: number,
  batch: number,
  clients: number,
  log: (line: string) => void,
): Promise<DrainResult> => {
  const baseUrl = target.settle.url
  // Stock to spare, so that only the coupon can run out.
  const spare = clients
  const shop: HotShop = await openHotShop(baseUrl, limit + spare, limit)
  const problems: Array<string> = []
  const placed: Array<Placed> = []
  const refused: Array<Answer> = []
  let paid = 0
  let checkoutSeconds = 0
  let paymentSeconds = 0
  // Batch by batch, each paid before the next: the holds never pile up beyond a batch, which is what
  // a sale looks like and what keeps a drain of a million off today's hot-document limit.
  for (let attempted = 0; attempted < limit + spare; ) {
    const size = Math.min(batch, limit + spare - attempted)
    attempted += size
    const checkoutsFrom = performance.now()
    const answers = await inPool(Array.from({ length: size }), clients, () => {
      const key = randomUUID()
      return untilAnswered(() =>
        postJson(`${baseUrl}/api/v1/checkout`, JSON.parse(shop.cart) as unknown, { "Idempotency-Key": key }),
      )
    })
    checkoutSeconds += seconds(checkoutsFrom)
    const won = answers.filter((a) => a.status === 201).map((a) => a.body as Placed)
    placed.push(...won)
    refused.push(...answers.filter((a) => a.status !== 201))
    const paymentsFrom = performance.now()
    const delivered = await inPool(won, clients, (order) =>
      untilAnswered(() => deliver(baseUrl, completed(order))),
    )
    paymentSeconds += seconds(paymentsFrom)
    paid += delivered.filter((a) => a.status < 300).length
    log(`hot drain: ${placed.length} placed and ${paid} paid of ${limit}, ${refused.length} refused`)
  }
  const refusedPastLimit = refused.filter(
    (a) => a.status === 409 && (a.body as { error?: { code?: string } }).error?.code === EXHAUSTED,
  ).length
  if (placed.length !== limit) problems.push(`${placed.length} checkouts placed, the coupon allows ${limit}`)
  if (refusedPastLimit !== refused.length || refused.length !== spare)
    problems.push(
      `${refused.length} refused (${refusedPastLimit} as ${EXHAUSTED}), expected ${spare} past the limit; first: ${JSON.stringify(refused.find((a) => a.status !== 409)?.body ?? null)}`,
    )
  if (paid !== placed.length) problems.push(`${placed.length - paid} payments not acknowledged`)

  const coupon = await couponNow(shop)
  const counters = {
    available: coupon.available,
    reservedCount: coupon.reservedCount,
    redeemedCount: coupon.redeemedCount,
  }
  if (!same(counters, { available: 0, reservedCount: 0, redeemedCount: limit }))
    problems.push(`coupon ${JSON.stringify(counters)}, expected all ${limit} redeemed`)
  const stock = (await productNow(shop)).stock
  if (!same(stock, { available: spare, reserved: 0, committed: limit }))
    problems.push(`stock ${JSON.stringify(stock)}, expected ${limit} committed and ${spare} available`)
  const health = await call(`${baseUrl}/api/v1/admin/health/orders`, { headers: await bearer() })
  const panels = health.body as Record<string, unknown>
  const leaks = panels.couponReservationLeaks
  for (const panel of ["couponReservationLeaks", "paidUnconfirmed", "webhookEventsUnfinalized"])
    if (panels[panel] !== 0) problems.push(`order health: ${panel} ${String(panels[panel])}`)
  // Every winner's record redeemed; a loser's record, when its checkout got that far, released.
  const reservations = await target.reservationsOf(shop.coupon.id)
  if (
    reservations !== null &&
    (reservations.redeemed !== limit ||
      Object.keys(reservations).some((status) => status !== "redeemed" && status !== "released") ||
      (reservations.released ?? 0) > spare)
  )
    problems.push(`reservation records ${JSON.stringify(reservations)}, expected ${limit} redeemed`)
  const repair = await postJson(
    `${baseUrl}/api/v1/admin/jobs/repair/run`,
    { reason: "bench --hot-drain: the coupon was redeemed to its limit" },
    await bearer(),
  )
  const run = (repair.body as { run?: { outcome?: string; report?: Record<string, unknown> } }).run
  const report = run?.report ?? {}
  if (repair.status !== 200 || run?.outcome !== "succeeded")
    problems.push(`repair answered ${repair.status}: ${JSON.stringify(repair.body)}`)
  else if (!same(report.drift, []) || !same(report.recordDrift, []) || report.holdsReleased !== 0)
    problems.push(`repair reported ${JSON.stringify(report)}`)
  return {
    limit,
    placed: placed.length,
    refusedPastLimit,
    paid,
    seconds: { checkouts: Number(checkoutSeconds.toFixed(1)), payments: Number(paymentSeconds.toFixed(1)) },
    coupon: counters,
    stock,
    couponReservationLeaks: leaks,
    reservations,
    repair: report,
    problems,
  }
}

/**
 * `pnpm bench --hot --hot-drain <limit>`: the drain on each store of `--hot-stores`, one at a time.
 * Prints its own report; answers whether every drain held (on FerretDB, which races conditional
 * writes, disagreements are printed as notes).
 */
/**
 * The embedded default keeps every order, payment, event and reservation of the drain in its heap,
 * about 12 KB an order paid (RSS over the first 30 000 of a drain); past Node's default heap limit
 * (about 4 GB here) a drain of a million would end in an out-of-memory crash, not in a verdict. The
 * drain's Settle gets room for its orders; on Mongo the orders are the server's, and the flag only
 * raises a ceiling the process never nears.
 */
const DRAIN_BYTES_PER_ORDER = 16 * 1024
const drainHeapArgs = (limit: number): ReadonlyArray<string> => {
  const megabytes = Math.ceil((limit * DRAIN_BYTES_PER_ORDER) / (1024 * 1024))
  return megabytes > 4096 ? [`--max-old-space-size=${megabytes}`] : []
}

export const benchDrain = async (options: BenchOptions, log: (line: string) => void): Promise<boolean> => {
  const results: Array<{ readonly store: string; readonly nonAtomic: boolean; readonly drain: DrainResult }> =
    []
  for (const store of hotStores(options.hotStores)) {
    const target = await store.start([
      ...drainHeapArgs(options.hotDrain),
      ...settleNodeArgs(options, `settle-drain-${store.name}`),
    ])
    try {
      log(
        `hot drain ${store.name}: a coupon of ${options.hotDrain} redemptions, ${options.hotClients} clients`,
      )
      const drain = await drainCoupon(target, options.hotDrain, options.hotBatch, options.hotClients, log)
      results.push({ store: store.name, nonAtomic: store.nonAtomic, drain })
    } finally {
      const code = await target.stop()
      if (code !== 0) log(`settle@${store.name} exited with ${code}`)
    }
  }
  for (const { store, nonAtomic, drain } of results) {
    console.log(
      `\nhot drain ${store}: ${drain.placed}/${drain.limit} placed (${drain.seconds.checkouts} s), ${drain.refusedPastLimit} refused past the limit, ${drain.paid} paid (${drain.seconds.payments} s); coupon ${JSON.stringify(drain.coupon)}; stock ${JSON.stringify(drain.stock)}; reservation leaks ${String(drain.couponReservationLeaks)}, records ${JSON.stringify(drain.reservations)}; repair ${JSON.stringify(drain.repair)}`,
    )
    for (const problem of drain.problems)
      console.log(
        nonAtomic ? `NOTE (${store} races conditional writes): ${problem}` : `PROBLEM: ${store}: ${problem}`,
      )
  }
  const ok = results.every(({ nonAtomic, drain }) => nonAtomic || drain.problems.length === 0)
  console.log(JSON.stringify({ hotDrain: { limit: options.hotDrain, stores: results, ok } }, null, 2))
  return ok
}
