import { type JobLease, JobLeases, type JobRun } from "@settle/domain"
import { Effect, type Layer } from "effect"
import { describe, expect, it } from "vitest"
import { minute } from "../fixtures.js"
import { runInLayer } from "./runInLayer.js"

const TTL = 5 * 60_000

const aRun = (overrides: Partial<JobRun> = {}): JobRun => ({
  holder: "replica-a/1",
  startedAt: minute(1),
  finishedAt: minute(2),
  outcome: "succeeded",
  report: { ordersExpired: 2, drift: [{ code: "SAVE10", before: { available: 3 } }] },
  error: null,
  ...overrides,
})

const leaseOf = (job: string) =>
  Effect.flatMap(JobLeases, (leases) => leases.list()).pipe(
    Effect.map((all): JobLease | undefined => all.find((lease) => lease.job === job)),
  )

/** `count` holders ask for one job at once; the holders that got it. */
const race = (job: string, count: number, now: Date) =>
  Effect.flatMap(JobLeases, (leases) =>
    Effect.all(
      Array.from({ length: count }, (_, i) =>
        Effect.map(leases.acquire(job, `racer-${i}`, now, TTL), (won) => (won ? [`racer-${i}`] : [])),
      ),
      { concurrency: "unbounded" },
    ),
  ).pipe(Effect.map((results) => results.flat()))

/**
 * The JobLeases contract: at most one holder per job at any time, whatever the concurrency, on every
 * adapter. Unlike the capacity suites there is no relaxed variant for servers that race conditional
 * writes: a lease that two replicas can take at once protects nothing, so the adapter must use a
 * write that is atomic on every server it supports.
 */
export const suite = <E>(name: string, layer: Layer.Layer<JobLeases, E>): void => {
  const run = runInLayer(layer)

  describe(name, () => {
    it("lists nothing before any job is leased", () =>
      run(
        Effect.flatMap(JobLeases, (leases) => leases.list()).pipe(
          Effect.map((all) => expect(all).toEqual([])),
        ),
      ))

    it("gives a free job to the first holder for the time to live", () =>
      run(
        Effect.gen(function* () {
          const leases = yield* JobLeases
          expect(yield* leases.acquire("expiry", "replica-a/1", minute(0), TTL)).toBe(true)
          expect(yield* leaseOf("expiry")).toEqual({
            job: "expiry",
            holder: "replica-a/1",
            acquiredAt: minute(0),
            expiresAt: minute(5),
            lastRun: null,
          })
        }),
      ))

    it("refuses a job another holder has until its lease expires, then hands it over", () =>
      run(
        Effect.gen(function* () {
          const leases = yield* JobLeases
          yield* leases.acquire("expiry", "replica-a/1", minute(0), TTL)
          expect(yield* leases.acquire("expiry", "replica-b/1", minute(4), TTL)).toBe(false)
          expect((yield* leaseOf("expiry"))?.holder).toBe("replica-a/1")
          // Expired at exactly expiresAt: the holder had until then, not a moment longer.
          expect(yield* leases.acquire("expiry", "replica-b/1", minute(5), TTL)).toBe(true)
          expect(yield* leaseOf("expiry")).toMatchObject({
            holder: "replica-b/1",
            acquiredAt: minute(5),
            expiresAt: minute(10),
          })
          expect(yield* leases.acquire("expiry", "replica-a/1", minute(6), TTL)).toBe(false)
        }),
      ))

    it("renews the holder's own lease, keeping when it was first taken", () =>
      run(
        Effect.gen(function* () {
          const leases = yield* JobLeases
          yield* leases.acquire("expiry", "replica-a/1", minute(0), TTL)
          expect(yield* leases.acquire("expiry", "replica-a/1", minute(3), TTL)).toBe(true)
          expect(yield* leaseOf("expiry")).toMatchObject({ acquiredAt: minute(0), expiresAt: minute(8) })
          expect(yield* leases.acquire("expiry", "replica-b/1", minute(6), TTL)).toBe(false)
        }),
      ))

    it("keeps jobs apart: holding one says nothing about another", () =>
      run(
        Effect.gen(function* () {
          const leases = yield* JobLeases
          yield* leases.acquire("expiry", "replica-a/1", minute(0), TTL)
          expect(yield* leases.acquire("repair", "replica-b/1", minute(1), TTL)).toBe(true)
          const all = yield* leases.list()
          expect(all.map((lease) => [lease.job, lease.holder])).toEqual([
            ["expiry", "replica-a/1"],
            ["repair", "replica-b/1"],
          ])
        }),
      ))

    it("frees a released job at once and keeps the run it recorded across later leases", () =>
      run(
        Effect.gen(function* () {
          const leases = yield* JobLeases
          const finished = aRun()
          yield* leases.acquire("expiry", "replica-a/1", minute(0), TTL)
          yield* leases.release("expiry", "replica-a/1", finished)
          expect(yield* leaseOf("expiry")).toEqual({
            job: "expiry",
            holder: null,
            acquiredAt: null,
            expiresAt: null,
            lastRun: finished,
          })
          expect(yield* leases.acquire("expiry", "replica-b/1", minute(1), TTL)).toBe(true)
          expect((yield* leaseOf("expiry"))?.lastRun).toEqual(finished)
          // Released without a run (it was stopped before it started): the last run stays.
          yield* leases.release("expiry", "replica-b/1", null)
          expect((yield* leaseOf("expiry"))?.lastRun).toEqual(finished)
        }),
      ))

    it("keeps a failed run's error and no report", () =>
      run(
        Effect.gen(function* () {
          const leases = yield* JobLeases
          const failed = aRun({ outcome: "failed", report: null, error: "StoreError: [db] timed out" })
          yield* leases.acquire("invoice-retry", "replica-a/1", minute(0), TTL)
          yield* leases.release("invoice-retry", "replica-a/1", failed)
          expect((yield* leaseOf("invoice-retry"))?.lastRun).toEqual(failed)
        }),
      ))

    it("ignores a release by anyone but the holder, including a holder whose lease was taken over", () =>
      run(
        Effect.gen(function* () {
          const leases = yield* JobLeases
          yield* leases.acquire("expiry", "replica-a/1", minute(0), TTL)
          yield* leases.release("expiry", "replica-b/1", aRun({ holder: "replica-b/1" }))
          expect(yield* leaseOf("expiry")).toMatchObject({ holder: "replica-a/1", lastRun: null })
          yield* leases.acquire("expiry", "replica-b/1", minute(6), TTL)
          // replica-a comes back from a long pause and reports its run: replica-b's lease stands.
          yield* leases.release("expiry", "replica-a/1", aRun())
          expect(yield* leaseOf("expiry")).toMatchObject({ holder: "replica-b/1", lastRun: null })
          expect(yield* leases.acquire("expiry", "replica-a/1", minute(7), TTL)).toBe(false)
        }),
      ))

    it("gives a free job to exactly one of 20 holders asking at once", () =>
      run(
        Effect.gen(function* () {
          for (let round = 0; round < 5; round++) {
            const job = `race-free-${round}`
            const winners = yield* race(job, 20, minute(0))
            expect(winners).toHaveLength(1)
            expect((yield* leaseOf(job))?.holder).toBe(winners[0])
          }
        }),
      ))

    it("gives an expired job to exactly one of 20 holders asking at once", () =>
      run(
        Effect.gen(function* () {
          const leases = yield* JobLeases
          for (let round = 0; round < 5; round++) {
            const job = `race-expired-${round}`
            yield* leases.acquire(job, "crashed", minute(0), TTL)
            const winners = yield* race(job, 20, minute(10))
            expect(winners).toHaveLength(1)
            expect((yield* leaseOf(job))?.holder).toBe(winners[0])
          }
        }),
      ))

    it("never lets a takeover and the old holder's renewal both win", () =>
      run(
        Effect.gen(function* () {
          const leases = yield* JobLeases
          for (let round = 0; round < 5; round++) {
            const job = `race-renewal-${round}`
            yield* leases.acquire(job, "slow", minute(0), TTL)
            // "slow" renews late, as a paused process does, while 10 others see its lease expired.
            const [renewed, others] = yield* Effect.all(
              [leases.acquire(job, "slow", minute(5), TTL), race(job, 10, minute(5))],
              { concurrency: "unbounded" },
            )
            expect(others.length + (renewed ? 1 : 0)).toBe(1)
            expect((yield* leaseOf(job))?.holder).toBe(renewed ? "slow" : others[0])
          }
        }),
      ))
  })
}
