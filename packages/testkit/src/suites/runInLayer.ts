import { Effect, type Layer, ManagedRuntime } from "effect"

/**
 * Runs each program against a fresh build of `layer` (fresh in-memory state per test); a runtime,
 * unlike Effect.provide, keeps the requirement check exact when the layer also offers test controls.
 */
export const runInLayer =
  <ROut, E>(layer: Layer.Layer<ROut, E>) =>
  async <A, E2>(program: Effect.Effect<A, E2, ROut>): Promise<A> => {
    const runtime = ManagedRuntime.make(layer)
    try {
      return await runtime.runPromise(program)
    } finally {
      await runtime.dispose()
    }
  }

/** The `_tag` a program failed with, or "succeeded": suites compare tags, never message text. */
export const failureTag = <A, E extends { readonly _tag: string }, R>(
  program: Effect.Effect<A, E, R>,
): Effect.Effect<string, never, R> =>
  Effect.match(program, { onFailure: (error) => error._tag, onSuccess: () => "succeeded" })
