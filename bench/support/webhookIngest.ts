import { metric } from "../../packages/server/test/e2e/support/http.js"
import type { Placed } from "../../packages/server/test/e2e/support/shop.js"
import { completed, signed } from "../../packages/server/test/e2e/support/stripeEvents.js"
import { DeliverySchedule } from "./deliverySchedule.js"
import { baseline, combineVerifications, type Verification, verify } from "./ingestVerification.js"
import { combine, type Figures, fire } from "./load.js"
import { type BenchShop, placeOrders } from "./orders.js"
import { timePhase } from "./profileWindows.js"

const WEBHOOK_PATH = "/api/v1/webhooks/stripe"

export interface IngestRun {
  readonly figures: Figures
  readonly orders: number
  readonly freshSent: number
  readonly duplicatesSent: number
  /**
   * CPU the server process spent while the batch ran (prom-client's process_cpu_seconds_total): unlike
   * the rate, other work on the machine barely moves it.
   */
  readonly serverCpuSeconds: number
  readonly verification: Verification
}

const serverCpuSeconds = (baseUrl: string) => metric(baseUrl, "process_cpu_seconds_total")

/**
 * One signed checkout.session.completed per order, signed up front, fired by autocannon one event per
 * request: setupRequest draws from the schedule all connections share, and with pipelining 1 a
 * connection's context still names its event when the answer arrives. Then the server is asked what
 * it did.
 */
export const ingest = async (
  shop: BenchShop,
  orders: ReadonlyArray<Placed>,
  connections: number,
): Promise<IngestRun> => {
  const schedule = new DeliverySchedule(orders.map((placed) => signed(completed(placed))))
  const before = await baseline(shop)
  const cpuBefore = await serverCpuSeconds(shop.baseUrl)
  const started = performance.now()
  let lastAnswer = started
  const measured = await timePhase("webhook deliveries", () =>
    fire({
      url: shop.baseUrl,
      connections: Math.min(connections, schedule.plannedRequests),
      pipelining: 1,
      // Exactly this many requests, each answered before the run ends: no event is left in flight.
      amount: schedule.plannedRequests,
      requests: [
        {
          method: "POST",
          path: WEBHOOK_PATH,
          setupRequest: (request, context) => {
            const { index, delivery } = schedule.take()
            ;(context as { index?: number }).index = index
            return {
              ...request,
              headers: { "content-type": "application/json", "stripe-signature": delivery.header },
              body: delivery.payload,
            }
          },
          onResponse: (status, _body, context) => {
            lastAnswer = performance.now()
            const { index } = context as { index?: number }
            if (index !== undefined) schedule.answered(index, status)
          },
        },
      ],
    }),
  )
  const cpuSeconds = (await serverCpuSeconds(shop.baseUrl)) - cpuBefore
  // autocannon notices the end of an `amount` run on its next one-second tick and reports that as the
  // duration: a 1.1 s batch would count as 2 s. The last answer's time is the real end.
  const seconds = (lastAnswer - started) / 1000
  const figures = { ...measured, seconds, rps: seconds > 0 ? measured.requests / seconds : 0 }
  return {
    figures,
    orders: orders.length,
    freshSent: schedule.freshSent,
    duplicatesSent: schedule.duplicatesSent,
    serverCpuSeconds: cpuSeconds,
    verification: await verify(shop, orders, schedule, before),
  }
}

const combineRuns = (runs: ReadonlyArray<IngestRun>): IngestRun => {
  const sum = (pick: (run: IngestRun) => number) => runs.reduce((total, run) => total + pick(run), 0)
  return {
    figures: combine(runs.map((run) => run.figures)),
    orders: sum((run) => run.orders),
    freshSent: sum((run) => run.freshSent),
    duplicatesSent: sum((run) => run.duplicatesSent),
    serverCpuSeconds: sum((run) => run.serverCpuSeconds),
    verification: combineVerifications(runs.map((run) => run.verification)),
  }
}

export interface IngestMeasurement {
  readonly warmup: IngestRun
  readonly batches: ReadonlyArray<IngestRun>
  /** The batches as one measurement, like the GET turns. */
  readonly combined: IngestRun
}

/**
 * A fresh process needs a couple of thousand webhooks before its rate settles (the JIT, the heap's
 * sizing): the filling curve of the stored-orders comparison shows its first 2 000 at about 1.4× the
 * CPU per request of every later chunk (docs/performance.md). The measured batches are to be warm, so
 * the warm-up is that long, on fresh orders: every step of finalization runs in it, not only the reads.
 */
const WARMUP_ORDERS = 2000
const MIN_BATCH = 100

/**
 * About `seconds` of ingest in `slices` batches, each sized from the rate of the one before (a first,
 * discarded batch of `warmupOrders` warms the process up and gives the first rate). Batches, not one long run: every event
 * needs its order placed beforehand, and the machine's rate is only known by measuring it (it moves
 * with whatever else the machine does, docs/performance.md).
 */
export const measureIngest = async (
  shop: BenchShop,
  seconds: number,
  slices: number,
  connections: number,
  log: (line: string) => void,
  warmupOrders: number = WARMUP_ORDERS,
): Promise<IngestMeasurement> => {
  const warmup = await ingest(shop, await placeOrders(shop, warmupOrders), connections)
  const batches: Array<IngestRun> = []
  let rate = warmup.figures.rps
  let spent = 0
  while (spent < seconds * 0.95) {
    const slice = Math.min(seconds / slices, seconds - spent)
    // A fifth of the requests are redeliveries, so rate × slice requests carry 4/5 as many orders.
    const events = Math.max(MIN_BATCH, Math.round((rate * slice * 4) / 5))
    log(`webhook ingest: batch ${batches.length + 1}: ${events} orders, their events and 20% redeliveries`)
    const batch = await ingest(shop, await placeOrders(shop, events), connections)
    batches.push(batch)
    spent += batch.figures.seconds
    rate = batch.figures.rps
  }
  return { warmup, batches, combined: combineRuns(batches) }
}
