import { Clock } from "@settle/domain"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import * as ControlledClock from "../../src/fakes/ControlledClock.js"
import { ClockControl } from "../../src/fakes/ControlledClock.js"
import { suite } from "../../src/suites/ClockSuite.js"

const start = new Date("2030-01-01T00:00:00.000Z")

suite("ControlledClock", ControlledClock.layer(start))
suite("system clock", Layer.succeed(Clock, Clock.of({ now: Effect.sync(() => new Date()) })))

describe("ClockControl", () => {
  const run = <A>(program: Effect.Effect<A, never, Clock | ClockControl>) =>
    Effect.runPromise(Effect.provide(program, ControlledClock.layer(start)))

  it("stands still until told to move", () =>
    run(
      Effect.gen(function* () {
        const clock = yield* Clock
        expect(yield* clock.now).toEqual(start)
        expect(yield* clock.now).toEqual(start)
      }),
    ))

  it("advances by milliseconds and jumps to a set instant, backwards too", () =>
    run(
      Effect.gen(function* () {
        const clock = yield* Clock
        const control = yield* ClockControl
        yield* control.advance(90_000)
        expect((yield* clock.now).toISOString()).toBe("2030-01-01T00:01:30.000Z")
        yield* control.set(new Date("2029-12-31T23:00:00.000Z"))
        expect((yield* clock.now).toISOString()).toBe("2029-12-31T23:00:00.000Z")
      }),
    ))

  it("refuses to advance backwards", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.provide(
        Effect.flatMap(ClockControl, (c) => c.advance(-1)),
        ControlledClock.layer(start),
      ),
    )
    expect(exit._tag).toBe("Failure")
  })
})
