import { Clock } from "@settle/domain"
import { Context, Effect, Layer, Ref } from "effect"

/** Moves the controlled clock; time stands still until a test says otherwise. */
export interface ClockControl {
  /** Jump to an instant, backwards too (clock skew between replicas). */
  readonly set: (date: Date) => Effect.Effect<void>
  /** Move forward by `ms` milliseconds. */
  readonly advance: (ms: number) => Effect.Effect<void>
}

export const ClockControl = Context.GenericTag<ClockControl>("@settle/testkit/ClockControl")

/** A Clock and its control sharing one Ref of epoch milliseconds. */
export const make = (start: Date): Effect.Effect<Context.Context<Clock | ClockControl>> =>
  Effect.map(Ref.make(start.getTime()), (millis) =>
    Context.make(
      Clock,
      // A fresh Date per read: a caller mutating its Date must not move the clock.
      Clock.of({ now: Effect.map(Ref.get(millis), (ms) => new Date(ms)) }),
    ).pipe(
      Context.add(
        ClockControl,
        ClockControl.of({
          set: (date) => Ref.set(millis, date.getTime()),
          advance: (ms) =>
            Number.isFinite(ms) && ms >= 0
              ? Ref.update(millis, (now) => now + ms)
              : Effect.dieMessage(`advance(${ms}): use set to move the clock backwards`),
        }),
      ),
    ),
  )

export const layer = (start: Date): Layer.Layer<Clock | ClockControl> => Layer.effectContext(make(start))
