import type { Delivery } from "../../packages/server/test/e2e/support/stripeEvents.js"

/** One in this many requests is a redelivery of an event the server has already acknowledged. */
const DUPLICATE_EVERY = 5

/** A small seeded PRNG (mulberry32): the same run picks the same duplicates. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/**
 * Which signed event each request carries: fresh events in order, and every fifth request a
 * redelivery of one already answered 2xx (a duplicate for the server, never a concurrent retry).
 * Shared by every autocannon connection, so no event is sent fresh twice.
 */
export class DeliverySchedule {
  private nextFresh = 0
  private taken = 0
  private readonly acknowledged: Array<number> = []
  private readonly acknowledgedSet = new Set<number>()
  private readonly random = seeded(20_24)
  freshSent = 0
  duplicatesSent = 0
  /**
   * Events sent again before any was answered (the branch below): the server may count such a concurrent
   * delivery `retry` before `duplicate`, which the verification allows for these only.
   */
  resentUnanswered = 0
  answered2xx = 0

  constructor(private readonly deliveries: ReadonlyArray<Delivery>) {}

  /** Requests to fire so that every fresh event goes out once and a fifth of all are duplicates. */
  get plannedRequests(): number {
    return Math.floor((this.deliveries.length * DUPLICATE_EVERY) / (DUPLICATE_EVERY - 1))
  }

  take(): { readonly index: number; readonly delivery: Delivery } {
    const position = this.taken++
    const freshLeft = this.nextFresh < this.deliveries.length
    const due = position % DUPLICATE_EVERY === DUPLICATE_EVERY - 1 || !freshLeft
    let index: number
    if (due && this.acknowledged.length > 0) {
      index = this.acknowledged[Math.floor(this.random() * this.acknowledged.length)] as number
      this.duplicatesSent++
    } else if (freshLeft) {
      index = this.nextFresh++
      this.freshSent++
    } else {
      // Everything is out and nothing answered yet: with more connections than events, or a store slow
      // enough (FerretDB) that no answer is back before the fresh events run out.
      index = this.deliveries.length - 1
      this.duplicatesSent++
      this.resentUnanswered++
    }
    return { index, delivery: this.deliveries[index] as Delivery }
  }

  answered(index: number, status: number): void {
    if (status < 200 || status > 299) return
    this.answered2xx++
    if (this.acknowledgedSet.has(index)) return
    this.acknowledgedSet.add(index)
    this.acknowledged.push(index)
  }

  /** Distinct events answered 2xx: each must have finalized its order exactly once. */
  get distinctAcknowledged(): number {
    return this.acknowledgedSet.size
  }

  acknowledgedIndexes(): ReadonlyArray<number> {
    return this.acknowledged
  }
}
