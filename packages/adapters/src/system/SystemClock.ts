import { Clock } from "@settle/domain"
import { Effect, Layer } from "effect"

/** The machine's wall clock. */
export const layer: Layer.Layer<Clock> = Layer.succeed(Clock, { now: Effect.sync(() => new Date()) })
