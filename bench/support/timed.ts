import type { Figures } from "./load.js"
import { inPool } from "./orders.js"
import { autocannon } from "./serverDeps.js"

/*
 * The Mongo bench's timings: every request or job timed by the bench itself, for the p95 the runbook
 * names (autocannon reports p97.5 but no p95).
 */

const percentile = (values: ReadonlyArray<number>, p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0 ? 0 : (sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0)
}

export interface Timed {
  readonly count: number
  readonly seconds: number
  readonly rps: number
  readonly p50Ms: number
  readonly p95Ms: number
  readonly p99Ms: number
}

export const timed = (latencies: ReadonlyArray<number>, seconds: number): Timed => ({
  count: latencies.length,
  seconds: Number(seconds.toFixed(2)),
  rps: Number((seconds > 0 ? latencies.length / seconds : 0).toFixed(1)),
  p50Ms: Number(percentile(latencies, 0.5).toFixed(1)),
  p95Ms: Number(percentile(latencies, 0.95).toFixed(1)),
  p99Ms: Number(percentile(latencies, 0.99).toFixed(1)),
})

/** An autocannon run's figures as a row of the Mongo table (autocannon has no p95). */
export const fromFigures = (f: Figures): Timed => ({
  count: f.requests,
  seconds: Number(f.seconds.toFixed(2)),
  rps: Number(f.rps.toFixed(1)),
  p50Ms: f.p50Ms,
  p95Ms: Number.NaN,
  p99Ms: f.p99Ms,
})

/** `count` jobs at `concurrency`, each timed. */
export const timedPool = async (
  count: number,
  concurrency: number,
  job: (index: number) => Promise<void>,
): Promise<Timed> => {
  const latencies: Array<number> = []
  const started = performance.now()
  await inPool(Array.from({ length: count }), concurrency, async (_, index) => {
    const sentAt = performance.now()
    await job(index)
    latencies.push(performance.now() - sentAt)
  })
  return timed(latencies, (performance.now() - started) / 1000)
}

/** CPU ms per request, to three decimals: the cost that other work on the machine barely moves. */
export const perRequest = (cpuMs: number, requests: number): number =>
  requests > 0 ? Number((cpuMs / requests).toFixed(3)) : 0

/** This process's CPU time so far (user + system), in ms. */
export const ownCpuMs = (): number => {
  const cpu = process.cpuUsage()
  return (cpu.user + cpu.system) / 1000
}

/** One request's headers and body. */
export interface Post {
  readonly headers: Record<string, string>
  readonly body: string
}

/** A run of `timedPosts`: its timings, answers other than 2xx, and requests never answered. */
export interface TimedPosts {
  readonly timed: Timed
  readonly non2xx: number
  /** Connection errors and timeouts. */
  readonly unanswered: number
}

/**
 * `amount` POSTs to `path` (the `index`th built by `post(index)`), `connections` in flight, each timed
 * as `timedCheckouts` (mongoBench.ts) times Settle's.
 */
export const timedPosts = async (
  url: string,
  path: string,
  connections: number,
  amount: number,
  post: (index: number) => Post,
): Promise<TimedPosts> => {
  // autocannon reads an amount of 0 as no limit.
  if (amount === 0) return { timed: timed([], 0), non2xx: 0, unanswered: 0 }
  const latencies: Array<number> = []
  let next = 0
  let non2xx = 0
  const started = performance.now()
  let last = started
  const result = await autocannon({
    url,
    connections: Math.min(connections, amount),
    pipelining: 1,
    amount,
    // FerretDB on a loaded machine answered the floor's webhooks in up to 10 s at 20 in flight,
    // autocannon's default timeout: a slow answer is still the figure to report, not a lost request.
    timeout: 120,
    requests: [
      {
        method: "POST",
        path,
        setupRequest: (request, context) => {
          ;(context as { sentAt?: number }).sentAt = performance.now()
          return { ...request, ...post(next++) }
        },
        onResponse: (status, _body, context) => {
          last = performance.now()
          const { sentAt } = context as { sentAt?: number }
          if (sentAt !== undefined) latencies.push(last - sentAt)
          if (status < 200 || status > 299) non2xx++
        },
      },
    ],
  })
  // An `amount` run's own duration ends on autocannon's next one-second tick; the last answer is the end.
  return { timed: timed(latencies, (last - started) / 1000), non2xx, unanswered: result.errors }
}
