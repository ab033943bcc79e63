import { setTimeout as sleep } from "node:timers/promises"
import { startSettleWith, type Target } from "./targets.js"

const gcHook = new URL("./profileGcHook.ts", import.meta.url).href
// The signal is handled on the server's next turn of its event loop; the scrape must come after it.
const AFTER_GC_MS = 100

/** What /metrics says about a Settle process's memory, and its own size, with `orders` stored. */
export interface MemorySample {
  readonly orders: number
  /** process_resident_memory_bytes and nodejs_heap_size_used_bytes, after a full collection. */
  readonly rssBytes: number
  readonly heapUsedBytes: number
  /** Lines of /metrics that are series (neither comments nor blank), by metric name. */
  readonly series: number
  readonly seriesByName: Readonly<Record<string, number>>
}

/** A Settle process whose memory can be read: a full collection on demand, then /metrics. */
export interface MemoryTarget extends Target {
  readonly sample: (orders: number) => Promise<MemorySample>
}

const gaugeValue = (text: string, name: string): number => {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `))
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 1))
}

const seriesOf = (text: string): Record<string, number> => {
  const byName: Record<string, number> = {}
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue
    const name = /^[^{ ]+/.exec(line)?.[0] ?? line
    byName[name] = (byName[name] ?? 0) + 1
  }
  return byName
}

/**
 * Settle as `startSettleWith` runs it, with --expose-gc and the hook that collects on SIGUSR2, so its
 * memory can be sampled as orders accumulate. `nodeArgs` come after (`--cpu-prof`).
 */
export const startMemoryTarget = async (
  name: string,
  env: Readonly<Record<string, string>>,
  nodeArgs: ReadonlyArray<string> = [],
): Promise<MemoryTarget> => {
  const target = await startSettleWith(name, env, [gcHook], ["--expose-gc", ...nodeArgs])
  return {
    ...target,
    sample: async (orders) => {
      process.kill(target.pid, "SIGUSR2")
      await sleep(AFTER_GC_MS)
      const text = await (await fetch(`${target.url}/metrics`)).text()
      const seriesByName = seriesOf(text)
      return {
        orders,
        rssBytes: gaugeValue(text, "process_resident_memory_bytes"),
        heapUsedBytes: gaugeValue(text, "nodejs_heap_size_used_bytes"),
        series: Object.values(seriesByName).reduce((sum, n) => sum + n, 0),
        seriesByName,
      }
    },
  }
}
/** Least-squares slope of `y` over the samples' orders: bytes per order. */
export const perOrder = (
  samples: ReadonlyArray<MemorySample>,
  y: (sample: MemorySample) => number,
): number => {
  const n = samples.length
  if (n < 2) return 0
  const mx = samples.reduce((sum, s) => sum + s.orders, 0) / n
  const my = samples.reduce((sum, s) => sum + y(s), 0) / n
  const sxy = samples.reduce((sum, s) => sum + (s.orders - mx) * (y(s) - my), 0)
  const sxx = samples.reduce((sum, s) => sum + (s.orders - mx) ** 2, 0)
  return sxx > 0 ? sxy / sxx : 0
}

// prom-client's default metrics label by what the runtime has at the scrape (GC kinds, heap spaces,
// handle types): bounded by the runtime, not by what the server stored.
const RUNTIME = /^(nodejs|process)_/

/**
 * Metric names with more series in `later` than in `earlier`, Settle's own only: with the same
 * traffic behind both, a label set that grows with the orders stored is unbounded.
 */
export const seriesGrowth = (earlier: MemorySample, later: MemorySample): ReadonlyArray<string> =>
  Object.entries(later.seriesByName)
    .filter(([name, count]) => !RUNTIME.test(name) && count > (earlier.seriesByName[name] ?? 0))
    .map(([name, count]) => `${name} ${earlier.seriesByName[name] ?? 0} -> ${count}`)
