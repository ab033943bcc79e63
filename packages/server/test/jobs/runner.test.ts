import { JobLeases, OrderRepository, StoreError } from "@settle/domain"
import { fixtures, memoryStorage, world } from "@settle/testkit"
import { Context, Duration, Effect, Fiber, HashMap, Layer, Logger, ManagedRuntime, Option } from "effect"
import { describe, expect, it } from "vitest"
import { makeJobRunner } from "../../src/jobs/runner.js"
import { captureLogs, type JobWorld, leaseOf, runInWorld, runJob, SETTINGS } from "./support.js"

type Orders = OrderRepository

/** The world with its OrderRepository changed by `change`: a slow or failing store under the expiry job. */
const withOrders =
  (change: (orders: Orders) => Orders) =>
  (layer: Layer.Layer<JobWorld, unknown>): Layer.Layer<JobWorld, unknown> =>
    Layer.map(layer, (context) =>
      Context.add(context, OrderRepository, change(Context.get(context, OrderRepository))),
    )

/** The expiry job's first query takes `ms`: a run that is still working while the test acts. */
const slowExpiry = (ms: number) =>
  withOrders((orders) => ({
    ...orders,
    findExpiredPending: (now, limit) =>
      Effect.delay(orders.findExpiredPending(now, limit), Duration.millis(ms)),
  }))

describe("a job run under its lease", () => {
  it("records a run that failed in the store, with the error, and releases the lease", async () => {
    const logs: Array<string> = []
    await runInWorld(
      memoryStorage,
      Effect.gen(function* () {
        const run = yield* runJob("expiry")
        expect(run).toMatchObject({
          outcome: "failed",
          report: null,
          error: "StoreError: [db] orders.find failed: connection reset",
        })
        expect(yield* leaseOf("expiry")).toMatchObject({ holder: null, lastRun: run })
      }),
      {
        logs,
        around: withOrders((orders) => ({
          ...orders,
          findExpiredPending: () =>
            Effect.fail(new StoreError({ message: "[db] orders.find failed: connection reset" })),
        })),
      },
    )
    expect(logs.some((line) => /^ERROR \[jobs\.expiry\] failed after \d+ ms: StoreError/.test(line))).toBe(
      true,
    )
  })

  it("keeps a connection string's password out of the run record", () =>
    runInWorld(
      memoryStorage,
      Effect.gen(function* () {
        expect((yield* runJob("expiry")).error).toBe(
          "StoreError: [db] cannot reach mongodb+srv://***@cluster0.example.net/shop",
        )
      }),
      {
        around: withOrders((orders) => ({
          ...orders,
          findExpiredPending: () =>
            Effect.fail(
              new StoreError({
                message: "[db] cannot reach mongodb+srv://settle:s3cret@cluster0.example.net/shop",
              }),
            ),
        })),
      },
    ))

  it("stops a run that outlives its time budget; the next run carries on", () =>
    runInWorld(
      memoryStorage,
      Effect.gen(function* () {
        const run = yield* runJob("expiry", { ...SETTINGS, runTimeoutMs: 50 })
        expect(run).toMatchObject({ outcome: "failed", error: "JobInterrupted: it ran longer than 50 ms" })
        expect((yield* leaseOf("expiry"))?.holder).toBeNull()
      }),
      { around: slowExpiry(2_000) },
    ))

  it("stops working when another run took the lease over after a pause, and leaves that lease alone", () =>
    runInWorld(
      memoryStorage,
      Effect.gen(function* () {
        const leases = yield* JobLeases
        // Renewals every 20 ms; the clock stands still at T0, so only a takeover can refuse one.
        const running = yield* Effect.fork(runJob("expiry", { ...SETTINGS, leaseMs: 60 }))
        yield* Effect.sleep(Duration.millis(30))
        expect(yield* leases.acquire("expiry", "other-replica/1", fixtures.minute(10), 60_000)).toBe(true)
        const run = yield* Fiber.join(running)
        expect(run).toMatchObject({
          outcome: "failed",
          error: "JobInterrupted: another run took its lease over",
        })
        expect(yield* leaseOf("expiry")).toMatchObject({ holder: "other-replica/1", lastRun: null })
      }),
      { around: slowExpiry(2_000) },
    ))

  it("releases the lease with an 'interrupted' record when the replica stops mid-run", () =>
    runInWorld(
      memoryStorage,
      Effect.gen(function* () {
        const running = yield* Effect.fork(runJob("expiry"))
        yield* Effect.sleep(Duration.millis(30))
        expect((yield* leaseOf("expiry"))?.holder).toMatch(/\/1$/)
        yield* Fiber.interrupt(running)
        expect(yield* leaseOf("expiry")).toMatchObject({
          holder: null,
          lastRun: { outcome: "failed", error: "interrupted: the replica shut down mid-run" },
        })
      }),
      { around: slowExpiry(2_000) },
    ))

  it("answers JobNotFound for a name no job has, listing the known ones", () =>
    runInWorld(
      memoryStorage,
      Effect.gen(function* () {
        const error = yield* Effect.flip(makeJobRunner(SETTINGS).runNow("vacuum"))
        expect(error).toMatchObject({
          _tag: "JobNotFound",
          job: "vacuum",
          known: ["expiry", "repair", "invoice-retry", "reconcile"],
        })
      }),
    ))
})

describe("the schedule", () => {
  it("runs a job on its interval from two replicas, never two runs at once, and stops on demand", async () => {
    const inFlight = { now: 0, max: 0, calls: 0 }
    const counted = withOrders((orders) => ({
      ...orders,
      findExpiredPending: (now, limit) =>
        Effect.acquireUseRelease(
          Effect.sync(() => {
            inFlight.now++
            inFlight.calls++
            inFlight.max = Math.max(inFlight.max, inFlight.now)
          }),
          () => Effect.delay(orders.findExpiredPending(now, limit), Duration.millis(15)),
          () => Effect.sync(() => inFlight.now--),
        ),
    }))
    const logs: Array<string> = []
    const runHolders = new Set<string>()
    // The holder of each finished run, from the log annotations every run's lines carry.
    const holders = Logger.make(({ message, annotations }) => {
      const holder = HashMap.get(annotations, "holder")
      if (String(message).includes("finished in") && Option.isSome(holder))
        runHolders.add(String(holder.value))
    })
    const runtime = ManagedRuntime.make(
      Layer.mergeAll(counted(world(memoryStorage)), captureLogs(logs), Logger.add(holders)),
    )
    try {
      const settings = { ...SETTINGS, everyMs: { expiry: 10 } }
      const replicas = [makeJobRunner(settings), makeJobRunner(settings)]
      const schedules = replicas.map((replica) => replica.start(runtime))
      await new Promise((resolve) => setTimeout(resolve, 600))
      await Promise.all(schedules.map((schedule) => schedule.stop()))
      const stoppedAt = inFlight.calls
      await new Promise((resolve) => setTimeout(resolve, 100))

      expect(inFlight.max).toBe(1)
      expect(inFlight.calls).toBe(stoppedAt)
      expect(inFlight.calls).toBeGreaterThan(5)
      // Both replicas ran it, each run under its own holder name.
      for (const replica of replicas) {
        expect([...runHolders].some((holder) => holder.startsWith(`${replica.replica}/`))).toBe(true)
      }
      expect(logs.some((line) => /^DEBUG \[jobs\.expiry\] skipped: .+ holds the lease$/.test(line))).toBe(
        true,
      )
      expect(logs.filter((line) => line.includes("[jobs] scheduling 1 jobs on replica"))).toHaveLength(2)
    } finally {
      await runtime.dispose()
    }
  })
})
