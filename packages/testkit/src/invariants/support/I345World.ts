import { type Coupon, CouponRepository, type Product, ProductCatalog } from "@settle/domain"
import { type Context, Effect, Exit, Layer, Logger, LogLevel, Scope } from "effect"
import type * as fc from "fast-check"
import { arm, disarm, type FaultPlan, planLayer, withFaults } from "../../faults/FaultInjection.js"
import { withInterleaving } from "../../faults/Interleaving.js"
import { crashablePorts, type fakes, racingPorts, type StoragePorts, world } from "../../world.js"

/** Everything a use-case, a fake's control or a crash plan can ask for in the I3-I5 suites. */
export type WorldServices = StoragePorts | Layer.Layer.Success<ReturnType<typeof fakes>> | FaultPlan

/** Runs programs against one built world; every port call goes through the crash wrapper. */
export interface Runner {
  readonly run: <A, E>(program: Effect.Effect<A, E, WorldServices>) => Promise<A>
}

export interface Sim extends Runner {
  /**
   * A second runner over the same stores whose racing ports wait for `scheduler` before each call, so
   * fast-check picks how concurrent use-cases interleave; the plain runner stays unscheduled.
   */
  readonly racing: (scheduler: fc.Scheduler) => Promise<Runner>
}

// The use-cases log every crash and expiry; hundreds of runs of that would bury a counterexample.
const quiet = <A, E>(program: Effect.Effect<A, E>) => Logger.withMinimumLogLevel(program, LogLevel.None)

const runner = (context: Context.Context<WorldServices>): Runner => ({
  run: (program) => Effect.runPromise(quiet(Effect.provide(program, context))),
})

/**
 * Builds `storage` plus the fakes once, runs `body`, then releases the world. The crash wrapper sits on
 * every store and gateway port but stays disarmed until a step arms it, so a run costs no more than a
 * clean one when nothing crashes.
 */
export const withWorld = async <E, A>(
  storage: Layer.Layer<StoragePorts, E>,
  body: (sim: Sim) => Promise<A>,
): Promise<A> => {
  const layer = Layer.provideMerge(withFaults(world(storage), crashablePorts), planLayer())
  const scope = Effect.runSync(Scope.make())
  try {
    const context: Context.Context<WorldServices> = await Effect.runPromise(
      Layer.buildWithScope(layer, scope),
    )
    const racing = async (scheduler: fc.Scheduler) =>
      runner(
        await Effect.runPromise(
          Layer.buildWithScope(
            withInterleaving(Layer.succeedContext(context), scheduler, racingPorts),
            scope,
          ),
        ),
      )
    return await body({ ...runner(context), racing })
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/**
 * Runs `program` with the k-th port call crashing (null: clean), then disarms, as a restarted process
 * would be. The crash is an ordinary failure in the error channel, never a defect.
 */
export const crashing = <A, E, R>(
  k: number | null,
  program: Effect.Effect<A, E, R>,
): Effect.Effect<Exit.Exit<A, E>, never, R | FaultPlan> =>
  Effect.zipRight(arm(k), Effect.exit(program)).pipe(Effect.ensuring(disarm))

/** Insert the drawn catalog and coupons into a fresh world. */
export const stock = (products: ReadonlyArray<Product>, coupons: ReadonlyArray<Coupon> = []) =>
  Effect.gen(function* () {
    const catalog = yield* ProductCatalog
    for (const product of products) yield* catalog.insert(product)
    const repository = yield* CouponRepository
    for (const coupon of coupons) yield* repository.insert(coupon)
  })
