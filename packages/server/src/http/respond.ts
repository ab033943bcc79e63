import { Cause, Effect, Exit, FiberRef, HashMap, Option } from "effect"
import type { Context } from "koa"
import type { AppRuntime, AppServices } from "../runtime.js"
import { Defect } from "./rejections.js"
import { requestIdOf } from "./requestId.js"

/**
 * Runs a use-case for `ctx`'s request on the one runtime built at boot, its log lines annotated with
 * the request id. A typed failure is thrown as the domain error itself, for the error middleware to
 * map; a defect or an interruption becomes a `Defect` whose detail is the pretty cause, logged by the
 * middleware and never sent.
 */
export const run = async <A, E>(
  ctx: Pick<Context, "state">,
  runtime: AppRuntime,
  effect: Effect.Effect<A, E, AppServices>,
): Promise<A> => {
  // Each request runs in a fiber of its own, so setting the annotation on that fiber is enough;
  // `Effect.annotateLogs` would also restore it afterwards, a scope (about 9 kB) per request.
  const annotate = FiberRef.update(
    FiberRef.currentLogAnnotations,
    HashMap.set<string, unknown>("requestId", requestIdOf(ctx)),
  )
  const exit = await runtime.runPromiseExit(Effect.zipRight(annotate, effect))
  if (Exit.isSuccess(exit)) return exit.value
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) throw failure.value
  throw new Defect({ detail: Cause.pretty(exit.cause) })
}

// Koa looks "json" up in mime-types on every object body unless the type is already set.
const JSON_TYPE = "application/json; charset=utf-8"

/** Writes a JSON answer. */
export const json = (ctx: Context, status: number, body: unknown): void => {
  ctx.status = status
  ctx.set("Content-Type", JSON_TYPE)
  ctx.body = body
}

/** Runs `effect` and answers `status` with `toBody` of its value. */
export const respond = async <A, E>(
  ctx: Context,
  runtime: AppRuntime,
  effect: Effect.Effect<A, E, AppServices>,
  status: number,
  toBody: (value: A) => unknown,
): Promise<void> => {
  json(ctx, status, toBody(await run(ctx, runtime, effect)))
}
