import { InvoiceProviderError, MediaStorageError, PaymentGatewayError, StoreError } from "@settle/domain"
import { Context, Effect, Layer, Ref } from "effect"
import { aroundCalls, type PortRewrite, portRewrite, rewriteLayer } from "./PortCalls.js"

/**
 * One crash scenario shared by every wrapped port: the calls are counted across ports, so "crash at
 * call k" names one point between two steps of a use-case, whichever port the step uses.
 */
export interface FaultPlan {
  /** Port calls seen since the plan was made or last armed. */
  readonly calls: Ref.Ref<number>
  /** The 1-based call to fail; null runs clean (to count, or to retry after the crash). */
  readonly failAt: Ref.Ref<number | null>
  /** `<Port>.<method>` of every call seen, in order: which step crash point k stands for. */
  readonly log: Ref.Ref<ReadonlyArray<string>>
}

export const FaultPlan = Context.GenericTag<FaultPlan>("@settle/testkit/FaultPlan")

export const makePlan = (failAt: number | null = null): Effect.Effect<FaultPlan> =>
  Effect.all({
    calls: Ref.make(0),
    failAt: Ref.make(failAt),
    log: Ref.make<ReadonlyArray<string>>([]),
  })

export const planLayer = (failAt: number | null = null): Layer.Layer<FaultPlan> =>
  Layer.effect(FaultPlan, makePlan(failAt))

/** Calls counted so far: a clean run's count is the number of crash points to explore. */
export const callCount: Effect.Effect<number, never, FaultPlan> = Effect.flatMap(FaultPlan, (p) =>
  Ref.get(p.calls),
)

export const callLog: Effect.Effect<ReadonlyArray<string>, never, FaultPlan> = Effect.flatMap(
  FaultPlan,
  (p) => Ref.get(p.log),
)

/** Fail the k-th call from now (null: none); the count and log restart. */
export const arm = (failAt: number | null): Effect.Effect<void, never, FaultPlan> =>
  Effect.flatMap(FaultPlan, (p) =>
    Effect.all([Ref.set(p.calls, 0), Ref.set(p.log, []), Ref.set(p.failAt, failAt)], { discard: true }),
  )

/** Stop injecting (the process "restarted"); calls are still counted. */
export const disarm: Effect.Effect<void, never, FaultPlan> = Effect.flatMap(FaultPlan, (p) =>
  Ref.set(p.failAt, null),
)

export const storeCrash = (message: string): StoreError => new StoreError({ message })
export const gatewayCrash = (message: string): PaymentGatewayError => new PaymentGatewayError({ message })
export const invoiceCrash = (message: string): InvoiceProviderError => new InvoiceProviderError({ message })
export const mediaCrash = (message: string): MediaStorageError =>
  new MediaStorageError({ message, providerAnswered: false })

type Admits<M, E> = [E] extends [M] ? true : false

/**
 * Members that may be crashed must already declare E in their error channel, or injecting E would
 * break the port's types; members that cannot fail (InvoiceProvider.mode) go in `skip`.
 */
export type Crashable<S, E, Skip extends keyof S> = {
  readonly [K in keyof S]: K extends Skip
    ? S[K]
    : S[K] extends (...args: never) => Effect.Effect<unknown, infer Failure, unknown>
      ? Admits<Failure, E> extends true
        ? S[K]
        : never
      : S[K] extends Effect.Effect<unknown, infer Failure, unknown>
        ? Admits<Failure, E> extends true
          ? S[K]
          : never
        : S[K]
}

/**
 * A copy of `service` whose calls first count against `plan`; the call numbered `failAt` fails with
 * `makeError("injected crash at call k (<port>.<method>)")` and is not performed.
 */
export const wrap = <S extends Crashable<S, E, Skip>, E, Skip extends keyof S = never>(
  service: S,
  plan: FaultPlan,
  port: string,
  makeError: (message: string) => E,
  skip: ReadonlyArray<Skip> = [],
): S =>
  aroundCalls(service, (method, call) => {
    if ((skip as ReadonlyArray<PropertyKey>).includes(method)) return call
    const label = `${port}.${method}`
    return Effect.gen(function* () {
      const k = yield* Ref.updateAndGet(plan.calls, (n) => n + 1)
      yield* Ref.update(plan.log, (log) => [...log, label])
      if ((yield* Ref.get(plan.failAt)) === k) {
        return yield* Effect.fail(makeError(`injected crash at call ${k} (${label})`))
      }
      return yield* call
    })
  })

/** Selects a port for `withFaults`, with the error its crashes fail with. */
export const crashable = <Id, S extends Crashable<S, E, Skip>, E, Skip extends keyof S = never>(
  tag: Context.Tag<Id, S>,
  makeError: (message: string) => E,
  skip: ReadonlyArray<Skip> = [],
): PortRewrite<Id, FaultPlan> =>
  portRewrite(tag, (service, plan, port) => wrap(service, plan, port, makeError, skip))

/** `layer` whose listed ports crash according to the FaultPlan in context. */
export const withFaults = <ROut, E, RIn>(
  layer: Layer.Layer<ROut, E, RIn>,
  ports: ReadonlyArray<PortRewrite<NoInfer<ROut>, FaultPlan>>,
): Layer.Layer<ROut, E, RIn | FaultPlan> => rewriteLayer(layer, FaultPlan, ports)
