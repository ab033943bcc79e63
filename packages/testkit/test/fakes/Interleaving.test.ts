import { Context, Effect, Layer, Ref } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { interleave, scheduled, withInterleaving } from "../../src/faults/Interleaving.js"

/** A toy balance store: `deposit` below reads then writes, the classic lost update. */
interface Balance {
  readonly read: Effect.Effect<number>
  readonly write: (value: number) => Effect.Effect<void>
  readonly add: (amount: number) => Effect.Effect<void>
}
const Balance = Context.GenericTag<Balance>("test/Balance")
const balanceLayer = Layer.effect(
  Balance,
  Effect.map(Ref.make(0), (ref) => ({
    read: Ref.get(ref),
    write: (value: number) => Ref.set(ref, value),
    add: (amount: number) => Ref.update(ref, (n) => n + amount),
  })),
)

const racyDeposit = Effect.flatMap(Balance, (b) => Effect.flatMap(b.read, (n) => b.write(n + 1)))
const atomicDeposit = Effect.flatMap(Balance, (b) => b.add(1))

/** Two concurrent deposits, interleaved at port-call granularity by the scheduler. */
const twoDeposits = (scheduler: fc.Scheduler, deposit: Effect.Effect<void, never, Balance>) => {
  const program = Effect.gen(function* () {
    yield* Effect.all([deposit, deposit], { concurrency: "unbounded" })
    return yield* (yield* Balance).read
  })
  return scheduler.waitFor(
    Effect.runPromise(
      program.pipe(Effect.provide(withInterleaving(balanceLayer, scheduler, [scheduled(Balance)]))),
    ),
  )
}

describe("Interleaving", () => {
  it("lets fast-check find the interleaving that loses an update", async () => {
    const seen = new Set<number>()
    const details = await fc.check(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const balance = await twoDeposits(s, racyDeposit)
        seen.add(balance)
        return balance === 2
      }),
      { numRuns: 100, seed: 42 },
    )
    expect(details.failed).toBe(true)
    expect(seen.has(1)).toBe(true)
  })

  it("finds no such interleaving for a single atomic write", async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        expect(await twoDeposits(s, atomicDeposit)).toBe(2)
      }),
      { numRuns: 50 },
    )
  })

  it("holds each call until the scheduler releases it, labelled <port>.<method>", async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const service = interleave({ ping: Effect.succeed("pong") }, s, "Probe")
        let done = false
        const running = Effect.runPromise(service.ping).then((out) => {
          done = true
          return out
        })
        await Promise.resolve()
        expect(done).toBe(false)
        expect(await s.waitFor(running)).toBe("pong")
        expect(s.report().map((task) => task.label)).toEqual(["Probe.ping"])
      }),
      { numRuns: 5 },
    )
  })
})
