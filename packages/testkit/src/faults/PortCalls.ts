import { Context, Effect, Layer } from "effect"

/** Runs before (and around) one port call; `method` is the member's name. */
export type AroundCall = (
  method: string,
  call: Effect.Effect<unknown, unknown, unknown>,
) => Effect.Effect<unknown, unknown, unknown>

const memberNames = (service: object): ReadonlyArray<string> => {
  const names = new Set<string>()
  // Walk the prototype chain too: an adapter written as a class keeps its methods there.
  for (let o: object | null = service; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) if (name !== "constructor") names.add(name)
  }
  return [...names]
}

/**
 * A copy of `service` whose Effect members and Effect-returning methods run `around` first. The
 * original method is only called inside the wrapped effect, so a call that `around` fails is never
 * performed, even by an adapter that does work eagerly when called.
 */
export const aroundCalls = <S extends object>(service: S, around: AroundCall): S => {
  const wrapped: Record<string, unknown> = {}
  for (const name of memberNames(service)) {
    const member: unknown = Reflect.get(service, name)
    if (Effect.isEffect(member)) {
      wrapped[name] = around(name, member)
    } else if (typeof member === "function") {
      wrapped[name] = (...args: ReadonlyArray<unknown>) =>
        around(
          name,
          Effect.suspend(() => {
            const out: unknown = member.apply(service, args)
            return Effect.isEffect(out) ? out : Effect.dieMessage(`${name} did not return an Effect`)
          }),
        )
    } else {
      wrapped[name] = member
    }
  }
  // Sound by construction: every member keeps its name and signature; only the effects are decorated.
  return wrapped as S
}

/** The short port name of a tag: "@settle/domain/OrderRepository" → "OrderRepository". */
export const portName = (tag: { readonly key: string }): string => tag.key.split("/").at(-1) ?? tag.key

/** Replaces one port in a built context with a decorated copy; `Env` is what the decoration needs. */
export interface PortRewrite<Id, Env> {
  readonly port: string
  readonly rewrite: <R>(context: Context.Context<R>, env: Env) => Context.Context<R | Id>
}

export const portRewrite = <Id, S extends object, Env>(
  tag: Context.Tag<Id, S>,
  decorate: (service: S, env: Env, port: string) => S,
): PortRewrite<Id, Env> => {
  const port = portName(tag)
  return {
    port,
    rewrite: (context, env) =>
      Context.add(context, tag, decorate(Context.unsafeGet(context, tag), env, port)),
  }
}

/** `layer` with the listed ports replaced by decorated copies, built once per layer build. */
export const rewriteLayer = <ROut, E, RIn, Env, EnvE, EnvR>(
  layer: Layer.Layer<ROut, E, RIn>,
  env: Effect.Effect<Env, EnvE, EnvR>,
  ports: ReadonlyArray<PortRewrite<NoInfer<ROut>, Env>>,
): Layer.Layer<ROut, E | EnvE, RIn | EnvR> =>
  Layer.flatMap(layer, (context) =>
    Layer.effectContext(
      Effect.map(env, (value) => ports.reduce((built, port) => port.rewrite(built, value), context)),
    ),
  )
