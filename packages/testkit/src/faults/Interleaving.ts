import type { Context, Layer } from "effect"
import { Effect } from "effect"
import type * as fc from "fast-check"
import { aroundCalls, type PortRewrite, portRewrite, rewriteLayer } from "./PortCalls.js"

/**
 * A copy of `service` whose every call first waits for `scheduler` to release it, so fast-check
 * chooses the order in which concurrent use-case runs reach their port calls and shrinks a race to
 * the shortest interleaving that breaks an invariant.
 */
export const interleave = <S extends object>(service: S, scheduler: fc.Scheduler, port: string): S =>
  aroundCalls(service, (method, call) => {
    const label = `${port}.${method}`
    return Effect.zipRight(
      Effect.promise(() => scheduler.schedule(Promise.resolve(label), label)),
      call,
    )
  })

/** Selects a port for `withInterleaving`. */
export const scheduled = <Id, S extends object>(tag: Context.Tag<Id, S>): PortRewrite<Id, fc.Scheduler> =>
  portRewrite(tag, interleave)

/** `layer` whose listed ports yield to `scheduler` before each call. */
export const withInterleaving = <ROut, E, RIn>(
  layer: Layer.Layer<ROut, E, RIn>,
  scheduler: fc.Scheduler,
  ports: ReadonlyArray<PortRewrite<NoInfer<ROut>, fc.Scheduler>>,
): Layer.Layer<ROut, E, RIn> => rewriteLayer(layer, Effect.succeed(scheduler), ports)
