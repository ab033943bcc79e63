import { setImmediate } from "node:timers/promises"

/**
 * Runs per property: small by default so `./settle test` stays fast; `SETTLE_PROPERTY_RUNS=<n>` sets
 * every property to n for a deep run (`SETTLE_PROPERTY_RUNS=2000 ./settle test`).
 */
export const propertyRuns = (fallback: number): number => {
  const raw = process.env.SETTLE_PROPERTY_RUNS
  const parsed = raw === undefined ? Number.NaN : Number.parseInt(raw, 10)
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback
}

/** What a store passes to the invariant suites. */
export interface PropertyOptions {
  /** Runs per property, overriding the defaults and SETTLE_PROPERTY_RUNS (a real database passes fewer). */
  readonly runs?: number
  /**
   * How many times a property run on this store may cost what it costs on the memory stores, where the
   * per-run budgets given to `propertyTimeout` were measured. 1 when absent.
   */
  readonly slowdown?: number
}

// vitest's global testTimeout: what every property had before timeouts scaled, so the default runs keep
// it; it also absorbs what does not grow with the runs (cold JIT, building the first world).
const BASE_TIMEOUT_MS = 60_000

/**
 * A property's vitest timeout, grown with its runs so that no run count hits a fixed limit (a deep run
 * of 2000 takes minutes). `msPerRun` is the property's budget for one run on the memory stores: its mean
 * cost a run, the larger of those measured over 200 and over 2000 runs on a loaded 2-core machine, times
 * at least 4 for slower and noisier CI machines.
 */
export const propertyTimeout = (runs: number, msPerRun: number, options: PropertyOptions): number =>
  BASE_TIMEOUT_MS + runs * msPerRun * (options.slowdown ?? 1)

/**
 * `predicate`, giving the event loop a turn before each run. Over the memory stores a run is nothing but
 * promise callbacks, so a property would hold the vitest worker's event loop from its first run to its
 * last: no timer fires (a timeout is noticed only at the end) and no reply from the vitest main process
 * is read, so a property lasting over 60 s fails the run with `Timeout calling "onTaskUpdate"` even
 * though every test passed.
 */
export const yieldingEachRun =
  <Args extends ReadonlyArray<unknown>, R>(predicate: (...args: Args) => Promise<R>) =>
  async (...args: Args): Promise<R> => {
    await setImmediate()
    return predicate(...args)
  }
