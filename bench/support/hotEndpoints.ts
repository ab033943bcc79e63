import type { HotBatch, HotStoreResult } from "./hotCapacity.js"

/** Batches each end of the ratio is the median of: one batch alone swings by a third (GC, 2 cores shared). */
export const ENDPOINT_BATCHES = 5

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length === 0
    ? 0
    : sorted.length % 2 === 1
      ? (sorted[mid] ?? 0)
      : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

/** The batches at the end of the run: those from `holds` open holds on. */
const endpoints = (batches: ReadonlyArray<HotBatch>, holds: number) =>
  batches.filter((b) => b.holdsBefore >= holds)

/** Whether a run has measured all its end: ENDPOINT_BATCHES batches from `holds` open holds on. */
export const endReached = (batches: ReadonlyArray<HotBatch>, holds: number) =>
  endpoints(batches, holds).length >= ENDPOINT_BATCHES

/** The ratio of the endpoint batches' median rate to `none`'s; 0 when either is missing. */
const endpointRatio = (batches: ReadonlyArray<HotBatch>, holds: number, none: ReadonlyArray<number>) => {
  const end = median(endpoints(batches, holds).map((b) => b.rps))
  const base = median(none)
  return base > 0 ? Number((end / base).toFixed(3)) : 0
}

/** A store's result with its two ratios, from its batches at `holds` on and its rates with none. */
export const hotResult = (
  fields: Omit<HotStoreResult, "ratio" | "ratioAfter">,
  holds: number,
): HotStoreResult => ({
  ...fields,
  ratio: endpointRatio(fields.batches, holds, fields.none.before),
  ratioAfter: endpointRatio(fields.batches, holds, fields.none.after),
})
