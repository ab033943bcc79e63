import { type Autocannon, autocannon } from "./serverDeps.js"

/** What one measurement found, in the units the report prints. */
export interface Figures {
  /** Responses received. */
  readonly requests: number
  readonly seconds: number
  /** Responses per second over the whole measurement (total / duration, so runs of any length compare). */
  readonly rps: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly non2xx: number
  /** Connection errors, timeouts included. */
  readonly errors: number
}

const figuresOf = (result: Autocannon.Result): Figures => ({
  requests: result.requests.total,
  seconds: result.duration,
  rps: result.duration > 0 ? result.requests.total / result.duration : 0,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  non2xx: result.non2xx,
  errors: result.errors,
})

/** One autocannon run from this process; no progress bar, the report prints the figures. */
export const fire = async (options: Autocannon.Options): Promise<Figures> =>
  figuresOf(await autocannon(options))

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0
}

/**
 * Slices of one measurement as one: throughput over all of them, the median slice's p50 and the worst
 * slice's p99 (autocannon hands out percentiles, not histograms, so they cannot be merged exactly).
 */
export const combine = (slices: ReadonlyArray<Figures>): Figures => {
  const requests = slices.reduce((sum, f) => sum + f.requests, 0)
  const seconds = slices.reduce((sum, f) => sum + f.seconds, 0)
  return {
    requests,
    seconds,
    rps: seconds > 0 ? requests / seconds : 0,
    p50Ms: median(slices.map((f) => f.p50Ms)),
    p99Ms: Math.max(...slices.map((f) => f.p99Ms)),
    non2xx: slices.reduce((sum, f) => sum + f.non2xx, 0),
    errors: slices.reduce((sum, f) => sum + f.errors, 0),
  }
}

export interface Interleaved {
  readonly urls: Readonly<Record<string, string>>
  readonly connections: number
  readonly seconds: number
  readonly slices: number
  readonly warmupSeconds: number
}

/**
 * GET each url for `seconds` in total, in `slices` turns taken round-robin after a discarded warm-up
 * each: load from elsewhere on the machine that comes and goes then weighs on every target alike,
 * instead of on whichever happened to run at the time, and the ratios stay meaningful.
 */
export const measureInterleaved = async (run: Interleaved): Promise<Record<string, Figures>> => {
  const names = Object.keys(run.urls)
  const connections = run.connections
  if (run.warmupSeconds > 0) {
    for (const name of names)
      await fire({ url: run.urls[name] ?? "", connections, duration: run.warmupSeconds })
  }
  // autocannon counts time in whole seconds.
  const duration = Math.max(1, Math.round(run.seconds / run.slices))
  const slices: Record<string, Array<Figures>> = Object.fromEntries(names.map((name) => [name, []]))
  for (let slice = 0; slice < run.slices; slice++) {
    for (const name of names)
      slices[name]?.push(await fire({ url: run.urls[name] ?? "", connections, duration }))
  }
  return Object.fromEntries(names.map((name) => [name, combine(slices[name] ?? [])]))
}
