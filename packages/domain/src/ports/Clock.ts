import { Context, type Effect } from "effect"

/** Wall-clock time for records and expiry decisions; tests control it. */
export interface Clock {
  /** The current instant. */
  readonly now: Effect.Effect<Date>
}

export const Clock = Context.GenericTag<Clock>("@settle/domain/Clock")
