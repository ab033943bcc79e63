import { describe, expect, it } from "vitest"
import { runBench } from "./runBench.js"

/**
 * `pnpm bench --smoke`: every target of the benchmark at tiny sizes, so the bench cannot rot while it
 * stays out of the suite. It asserts that the bench runs and that its verification holds, never a
 * ratio: on a shared machine at these sizes the ratios mean nothing. The Mongo mode has its own smoke
 * in the Mongo projects (smokeMongo.test.ts), on the servers they start.
 */
describe("pnpm bench --smoke", () => {
  it("measures every target, verifies every ingest and reads the servers' memory", async () => {
    const run = await runBench(["--smoke", "--no-mongo"])
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).not.toMatch(/^PROBLEM:/m)
    const ratios = /^ratios: .*$/m.exec(run.stdout)?.[0] ?? ""
    for (const name of ["settle/koa", "settle/node:http", "metrics on/off", "webhook/healthz"])
      expect(ratios).toMatch(new RegExp(`${name} [\\d.]+`))
    expect(run.stdout).toMatch(/^webhook vs stored orders: /m)
    expect(run.stdout).toMatch(/^memory \(after a full GC\): RSS [\d.]+ MB at 100 orders/m)
    const [summary] = run.summaries as Array<{
      ok: boolean
      webhook: {
        orders: number
        verification: { ok: boolean; serverCounted: { processed: number; retry: number; error: number } }
      }
      scaling: { small: { stored: Array<number> }; large: { stored: Array<number> } }
      memory: {
        large: { orders: number; rssBytes: number; heapUsedBytes: number; series: number }
        seriesGrowth: Array<string>
      }
      exits: Record<string, number | null>
    }>
    expect(summary?.ok).toBe(true)
    expect(summary?.webhook.verification.ok).toBe(true)
    expect(summary?.webhook.verification.serverCounted).toMatchObject({
      processed: summary?.webhook.orders,
      retry: 0,
      error: 0,
    })
    expect(summary?.scaling.large.stored[0]).toBe(300)
    expect(summary?.memory.large.orders).toBe(300)
    expect(summary?.memory.large.rssBytes).toBeGreaterThan(summary?.memory.large.heapUsedBytes ?? 0)
    expect(summary?.memory.large.series).toBeGreaterThan(0)
    expect(summary?.memory.seriesGrowth).toEqual([])
    expect(Object.keys(summary?.exits ?? {}).length).toBeGreaterThanOrEqual(5)
    expect(Object.values(summary?.exits ?? {}).every((code) => code === 0)).toBe(true)
  }, 300_000)
})
