import { createRequire } from "node:module"
import type * as Mongo from "../../packages/adapters/node_modules/mongodb/mongodb.js"
import type { ProductView } from "../../packages/server/test/e2e/support/shop.js"
import { label, type Recorded } from "./roundTrips.js"

/*
 * The Mongo bench's baseline: the commands a recording Settle process sent the store, sent again with
 * the bare driver. The bench process replays them in process (the baseline), and
 * bench/targets/replayHttp.ts replays them behind node:http (the HTTP floor); both import this file.
 */
const fromAdapters = createRequire(new URL("../../packages/adapters/package.json", import.meta.url))
const mongo = fromAdapters("mongodb") as typeof Mongo
const { EJSON, ObjectId } = mongo.BSON

/** What Settle sends the store for one checkout, one fresh delivery and one duplicate. */
export interface Recording {
  readonly database: string
  readonly products: ReadonlyArray<ProductView>
  readonly product: ProductView
  readonly checkout: ReadonlyArray<Recorded>
  readonly fresh: ReadonlyArray<Recorded>
  readonly duplicate: ReadonlyArray<Recorded>
  /** The same operations for a second order, to tell per-order values from shared ones. */
  readonly second: ReadonlyArray<Recorded>
}

/** Every string value in an Extended JSON document (ObjectIds as their hex). */
const strings = (value: unknown, into: Set<string>): Set<string> => {
  if (typeof value === "string") into.add(value)
  else if (Array.isArray(value)) for (const item of value) strings(item, into)
  else if (value !== null && typeof value === "object")
    for (const item of Object.values(value)) strings(item, into)
  return into
}

// Session and cluster fields the driver adds itself; a replayed command carries the replaying client's.
const DRIVER_FIELDS = [
  "lsid",
  "$clusterTime",
  "$db",
  "$readPreference",
  "txnNumber",
  "autocommit",
  "startTransaction",
]

/** One webhook request of the replay: the fresh delivery or the redelivery of replay `index`'s order. */
export type WebhookJob = readonly ["fresh" | "duplicate", number]

/**
 * The webhook replay's requests for `orders` orders from replay `base` on, as many duplicates as
 * Settle got: fresh deliveries in order, a duplicate of every fifth order's slipped in 2× the
 * concurrency later (DeliverySchedule's redeliveries come after the first answer too). The bench
 * process and the HTTP floor build theirs here, so both replay the same list.
 */
export const webhookJobs = (
  orders: number,
  duplicates: number,
  base: number,
  connections: number,
): Array<WebhookJob> => {
  const jobs: Array<WebhookJob> = Array.from({ length: orders }, (_, i) => ["fresh", base + i])
  for (let d = 0; d < duplicates; d++) {
    const order = Math.min(orders - 1, Math.floor((d * orders) / Math.max(1, duplicates)))
    jobs.splice(Math.min(jobs.length, order + d + 2 * connections), 0, ["duplicate", base + order])
  }
  return jobs
}

/**
 * The recorded commands as templates. What makes one order's commands differ from another's (its
 * order, session, event and payment ids, whatever strings differ between the two recorded orders)
 * is replaced per replay by values of its own, and the product by one of the shop's in turn, as the
 * Settle run spreads its orders; every other byte is sent as recorded. Dates and numbers are sent as
 * recorded too, so expiry times and version counters are the recorded ones (see `stats`). Two
 * replayers on one database must use disjoint indexes: the ids that are not ObjectIds are derived
 * from the index.
 */
export class Replayer {
  private readonly varying: ReadonlyArray<string>
  // By replay index: a delivery reuses its checkout's ids.
  private readonly maps = new Map<number, ReadonlyArray<readonly [string, string]>>()

  constructor(
    private readonly client: Mongo.MongoClient,
    private readonly recording: Recording,
  ) {
    const ofOrder = new Set<string>()
    for (const c of [...recording.checkout, ...recording.fresh, ...recording.duplicate])
      strings(JSON.parse(c.command), ofOrder)
    const shared = new Set<string>()
    for (const c of recording.second) strings(JSON.parse(c.command), shared)
    const { product } = recording
    this.varying = [...ofOrder]
      .filter(
        (s) => !shared.has(s) && s.length >= 6 && !/^\d+$/.test(s) && s !== product.id && s !== product.sku,
      )
      .sort((x, y) => y.length - x.length)
  }

  /** The replacements of replay `index`: fresh ids, and the product `index` lands on. */
  private mapOf(index: number): ReadonlyArray<readonly [string, string]> {
    const known = this.maps.get(index)
    if (known !== undefined) return known
    const product = this.recording.products[index % this.recording.products.length] as ProductView
    const map = [
      ...this.varying.map(
        (s) => [s, /^[0-9a-f]{24}$/.test(s) ? new ObjectId().toHexString() : `${s}_r${index}`] as const,
      ),
      [this.recording.product.id, product.id] as const,
      [this.recording.product.sku, product.sku] as const,
    ]
    this.maps.set(index, map)
    return map
  }

  /**
   * What the replay's writes answered: write errors would mean the replay is not the recorded
   * operation; `unmatched` counts, by template position, conditional writes that matched nothing
   * (an order's recorded version or state the replayed order does not have), i.e. work the bare
   * driver skipped that Settle did.
   */
  readonly stats = { commands: 0, writeErrors: 0, upsertRetries: 0, unmatched: {} as Record<string, number> }

  /**
   * One command. An upsert two deliveries race (a fresh one and its redelivery) can lose to the unique
   * index where the server does not serialize upserts (FerretDB); the inbox adapter then sends it
   * again, and so does the replay, counting it.
   */
  private async sent(db: string, command: Mongo.Document): Promise<Mongo.Document> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.db(db).command(command)
      } catch (error) {
        const collided = error instanceof mongo.MongoServerError && error.code === 11000
        if (!collided || command.upsert !== true || attempt > 3) throw error
        this.stats.upsertRetries++
      }
    }
  }

  /** Sends `commands` in their recorded order, as replay `index`. */
  async replay(commands: ReadonlyArray<Recorded>, index: number): Promise<void> {
    const map = this.mapOf(index)
    for (const [position, recorded] of commands.entries()) {
      let text = recorded.command
      for (const [from, to] of map) text = text.replaceAll(from, to)
      const command = EJSON.parse(text, { relaxed: false }) as Mongo.Document
      for (const field of DRIVER_FIELDS) delete command[field]
      const answer = await this.sent(recorded.db, command)
      this.stats.commands++
      if (Array.isArray(answer.writeErrors)) this.stats.writeErrors += answer.writeErrors.length
      const missed =
        ((recorded.name === "update" || recorded.name === "delete") && answer.n === 0) ||
        // An upsert that inserts answers null too (new: false): the fresh delivery's inbox entry.
        (recorded.name === "findAndModify" && answer.value === null && command.upsert !== true)
      if (missed) {
        const key = `#${position + 1} ${label(recorded)}`
        this.stats.unmatched[key] = (this.stats.unmatched[key] ?? 0) + 1
      }
    }
  }

  /** One webhook job: its order's fresh delivery or redelivery. */
  replayJob([kind, index]: WebhookJob): Promise<void> {
    return this.replay(kind === "fresh" ? this.recording.fresh : this.recording.duplicate, index)
  }
}

export type ReplayStats = Replayer["stats"]

/**
 * What the HTTP floor (bench/targets/replayHttp.ts) replays; the bench writes it as JSON to the file
 * BENCH_REPLAY_PLAN names.
 */
export interface FloorPlan {
  /** The Mongo server's URL; the floor replays on `recording.database`, as the in-process replay does. */
  readonly url: string
  readonly recording: Recording
  /** Its first replay index, past the in-process replay's: no id of one is replayed by the other. */
  readonly first: number
  /** Checkouts, then their fresh deliveries, answered before the measured ones. */
  readonly warmup: number
  /** The measured checkouts, and the webhook list's orders and duplicates (`webhookJobs`). */
  readonly orders: number
  readonly duplicates: number
  readonly connections: number
}

/** What the HTTP floor answers on GET /stats: its replay's stats and what it served. */
export interface FloorStats extends ReplayStats {
  readonly checkouts: number
  readonly webhooks: number
  /** Requests whose replay threw (answered 500), and the first one's error. */
  readonly failures: number
  readonly firstFailure: string | null
  /** The process's CPU time so far (user + system), for the CPU each measured phase cost. */
  readonly cpuMs: number
}
