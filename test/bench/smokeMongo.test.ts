import { describe, expect, inject, it } from "vitest"
import { runBench } from "./runBench.js"

/**
 * `pnpm bench --mongo-only --smoke` on this project's Mongo server (MONGO_URL for the bench): Settle's
 * checkout and webhook ingest on the Mongo adapters, recorded and replayed by the bare driver in process
 * and behind the HTTP floor, at tiny sizes. It asserts that the Mongo bench runs and verifies, never a
 * ratio.
 */
// On the atomic peer only: on FerretDB the smoke is its project's slowest test (about 40 s of a
// suite that must stay well under 15 min), and `pnpm bench` itself runs the Mongo mode there.
describe.runIf(inject("mongoServer") !== "ferretdb")("pnpm bench --mongo-only --smoke", () => {
  it("records, measures, replays (in process and behind the HTTP floor) and verifies on this Mongo server", async () => {
    const server = inject("mongoServer")
    const run = await runBench(["--mongo-only", "--smoke"], {
      MONGO_URL: inject("mongoUrl"),
      BENCH_MONGO_SERVER: server,
    })
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).not.toMatch(/^PROBLEM:/m)
    expect(run.stdout).toMatch(/^mongo ratios \(settle\/bare driver, target ≥ 0\.7\): /m)
    expect(run.stdout).toMatch(/^checkout p95 at \d+ connections /m)
    expect(run.stdout).toMatch(/^mongo transport \(floor\/bare driver/m)
    expect(run.stdout).toMatch(/^settle\/floor /m)
    expect(run.stdout).toMatch(/^mongo cpu per request, ms /m)
    expect(run.stdout).toMatch(new RegExp(`^${server} +http floor checkout `, "m"))
    expect(run.stdout).toMatch(new RegExp(`^${server} +http floor webhook `, "m"))
    const [summary] = run.summaries as Array<{
      mongo: {
        ok: boolean
        servers: Array<{
          roundTrips: { checkout: number; fresh: number; duplicate: number }
          replay: { commands: number; writeErrors: number }
          baseline: Record<"checkout" | "webhook", { count: number }>
          floor: Record<"checkout" | "webhook", { count: number }> & {
            replay: { commands: number; writeErrors: number; failures: number }
          }
          cpuMsPerRequest: Record<"settle" | "floor" | "bare", Record<"checkout" | "webhook", number>>
          verification: { ok: boolean }
        }>
      }
    }>
    expect(summary?.mongo.ok).toBe(true)
    expect(summary?.mongo.servers).toHaveLength(1)
    const [result] = summary?.mongo.servers ?? []
    expect(result?.verification.ok).toBe(true)
    expect(result?.replay.writeErrors).toBe(0)
    expect(result?.replay.commands).toBeGreaterThan(0)
    // The HTTP floor replayed as many checkouts and webhook requests as the in-process replay, cleanly.
    expect(result?.floor.replay).toMatchObject({ writeErrors: 0, failures: 0 })
    expect(result?.floor.replay.commands).toBeGreaterThan(0)
    expect(result?.floor.checkout.count).toBeGreaterThan(0)
    expect(result?.floor.checkout.count).toBe(result?.baseline.checkout.count)
    expect(result?.floor.webhook.count).toBe(result?.baseline.webhook.count)
    expect(result?.cpuMsPerRequest.floor.checkout).toBeGreaterThan(0)
    expect(result?.cpuMsPerRequest.floor.webhook).toBeGreaterThan(0)
    // A duplicate delivery costs one inbox lookup and no other store call (issue 12, item 2).
    expect(result?.roundTrips.duplicate).toBe(1)
  }, 300_000)

  it("pnpm bench --hot at tiny sizes: checkouts and the holds alone pile up on places, verified", async () => {
    const run = await runBench(
      ["--hot", "--hot-stores", "mongo-java-server", "--hot-holds", "300", "--hot-batch", "150"],
      { MONGO_URL: inject("mongoUrl") },
    )
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).not.toMatch(/^PROBLEM:/m)
    const [summary] = run.summaries as Array<{
      hot: {
        ok: boolean
        stores: Array<{
          store: string
          batches: Array<{ holdsBefore: number; refused: number }>
          largestDocument: { where: string }
        }>
      }
    }>
    expect(summary?.hot.ok).toBe(true)
    // With MONGO_URL the run is on that server: its checkouts, then its holds alone.
    expect(summary?.hot.stores.map((s) => s.store)).toEqual(["MONGO_URL", "MONGO_URL, holds alone"])
    for (const store of summary?.hot.stores ?? []) {
      // Up to 300, then five batches from 300 on: the ratio's end (hotCapacity.ts ENDPOINT_BATCHES).
      expect(store.batches.map((b) => b.holdsBefore)).toEqual([0, 150, 300, 450, 600, 750, 900])
      expect(store.batches.every((b) => b.refused === 0)).toBe(true)
      // A coupon and product of a million units keep them in places: the largest document is a place.
      expect(store.largestDocument.where).toMatch(/^(product|coupon)places /)
    }
  }, 300_000)
})
