import { metric, webhookSeries } from "../../packages/server/test/e2e/support/http.js"
import { orderOf, type Placed, stockOf } from "../../packages/server/test/e2e/support/shop.js"
import type { DeliverySchedule } from "./deliverySchedule.js"
import { type BenchShop, inPool } from "./orders.js"

const STATUSES = ["processed", "duplicate", "retry", "error"] as const
export type Counters = Record<(typeof STATUSES)[number], number>

/** The server's own account of one ingest, as /metrics, the admin API and the orders tell it. */
export interface Verification {
  readonly ok: boolean
  readonly problems: ReadonlyArray<string>
  /** How far webhook_events_total{type="checkout.session.completed"} moved, by status. */
  readonly serverCounted: Counters
  readonly committedUnits: number
  readonly sampledOrders: { readonly confirmed: number; readonly read: number }
}

/** What the server looked like before an ingest, to compare with after it. */
export interface Baseline {
  readonly counters: Counters
  readonly committedUnits: number
}

const counters = async (baseUrl: string): Promise<Counters> => {
  const values = await Promise.all(STATUSES.map((status) => metric(baseUrl, webhookSeries(status))))
  return Object.fromEntries(STATUSES.map((status, i) => [status, values[i] ?? 0])) as Counters
}

const committedUnits = async (shop: BenchShop): Promise<number> => {
  const stocks = await inPool(shop.products, 8, (product) => stockOf(shop.baseUrl, product))
  return stocks.reduce((sum, stock) => sum + stock.committed, 0)
}

export const baseline = async (shop: BenchShop): Promise<Baseline> => ({
  counters: await counters(shop.baseUrl),
  committedUnits: await committedUnits(shop),
})

const SAMPLE = 200

/**
 * Every order's event was acknowledged and finalized its order exactly once: `processed` moved by the
 * distinct events, `duplicate` by the redeliveries, `error` not at all and `retry` only for events the
 * schedule had to send again before any answer was back (a concurrent delivery, counted retry then
 * duplicate), one unit committed per order (each ordered one), and a sample of the orders reads `confirmed`.
 */
export const verify = async (
  shop: BenchShop,
  orders: ReadonlyArray<Placed>,
  schedule: DeliverySchedule,
  before: Baseline,
): Promise<Verification> => {
  const after = await baseline(shop)
  const counted = Object.fromEntries(
    STATUSES.map((status) => [status, after.counters[status] - before.counters[status]]),
  ) as Counters
  const committed = after.committedUnits - before.committedUnits
  const distinct = schedule.distinctAcknowledged
  const redelivered = schedule.answered2xx - distinct
  const acknowledged = schedule.acknowledgedIndexes()
  const every = Math.max(1, Math.floor(acknowledged.length / SAMPLE))
  const sample = acknowledged.filter((_, i) => i % every === 0)
  const read = await inPool(sample, 16, (index) => orderOf(shop.baseUrl, orders[index] as Placed))
  const confirmed = read.filter((order) => order.status === "confirmed").length
  const problems = [
    [distinct === orders.length, `${orders.length - distinct} of ${orders.length} events never answered 2xx`],
    [counted.processed === distinct, `processed moved by ${counted.processed}, not ${distinct}`],
    [counted.duplicate === redelivered, `duplicate moved by ${counted.duplicate}, not ${redelivered}`],
    [
      counted.retry <= schedule.resentUnanswered,
      `retry moved by ${counted.retry} (${schedule.resentUnanswered} sent again before any answer)`,
    ],
    [counted.error === 0, `error moved by ${counted.error}`],
    [committed === distinct, `${committed} units committed for ${distinct} finalized orders`],
    [
      confirmed === sample.length,
      `${sample.length - confirmed} of ${sample.length} sampled orders not confirmed`,
    ],
  ]
    .filter(([holds]) => holds === false)
    .map(([, problem]) => String(problem))
  return {
    ok: problems.length === 0,
    problems,
    serverCounted: counted,
    committedUnits: committed,
    sampledOrders: { confirmed, read: sample.length },
  }
}

/** Several batches' verifications as one. */
export const combineVerifications = (all: ReadonlyArray<Verification>): Verification => {
  const sum = (pick: (v: Verification) => number) => all.reduce((total, v) => total + pick(v), 0)
  return {
    ok: all.every((v) => v.ok),
    problems: all.flatMap((v) => v.problems),
    serverCounted: Object.fromEntries(
      STATUSES.map((status) => [status, sum((v) => v.serverCounted[status])]),
    ) as Counters,
    committedUnits: sum((v) => v.committedUnits),
    sampledOrders: {
      confirmed: sum((v) => v.sampledOrders.confirmed),
      read: sum((v) => v.sampledOrders.read),
    },
  }
}
