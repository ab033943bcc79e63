import { SandboxControl } from "@settle/adapters"
import {
  Clock,
  createCheckout,
  handlePaymentEvent,
  type Order,
  type OrderId,
  OrderRepository,
  type Product,
  ProductCatalog,
} from "@settle/domain"
import { Effect, Either, Layer, Logger, LogLevel, ManagedRuntime, Option } from "effect"
import type * as fc from "fast-check"
import { type FaultPlan, planLayer, withFaults } from "../../faults/FaultInjection.js"
import { withInterleaving } from "../../faults/Interleaving.js"
import { aProduct } from "../../fixtures.js"
import { crashablePorts, racingPorts, type StoragePorts, world } from "../../world.js"

/** Everything `world` provides: the ports, the fakes and their controls. */
export type WorldServices = Layer.Layer.Success<ReturnType<typeof world>>

/** How one step runs: interleaved by a scheduler, and/or crashing at the k-th port call. */
export interface StepFaults {
  readonly scheduler?: fc.Scheduler
  readonly crashAt?: number | null
}

/**
 * One world per property run. Steps share its state; a faulty step sees the same services through
 * decorated copies, so a crash or an interleaving affects that step only, as a restart would.
 */
export interface Harness {
  readonly run: <A, E>(program: Effect.Effect<A, E, WorldServices>) => Promise<A>
  readonly attempt: <A, E>(
    program: Effect.Effect<A, E, WorldServices | FaultPlan>,
    faults?: StepFaults,
  ) => Promise<Either.Either<A, E>>
  /** Runs `programs` concurrently; the scheduler picks the order of their port calls. */
  readonly race: <A, E>(
    programs: ReadonlyArray<Effect.Effect<A, E, WorldServices>>,
    scheduler: fc.Scheduler,
    crashAt?: number | null,
  ) => Promise<ReadonlyArray<Either.Either<A, E>>>
  readonly dispose: () => Promise<void>
}

/** The world's own services seen through a crash plan and, for a race, a scheduler. */
const decorated = (faults: StepFaults) =>
  Layer.unwrapEffect(
    Effect.map(Effect.context<WorldServices>(), (context) => {
      const shared = Layer.succeedContext(context)
      const racing =
        faults.scheduler === undefined ? shared : withInterleaving(shared, faults.scheduler, racingPorts)
      return Layer.provideMerge(withFaults(racing, crashablePorts), planLayer(faults.crashAt ?? null))
    }),
  )

// The use-cases log every injected failure; the property's verdict is what matters here.
const quiet = Logger.minimumLogLevel(LogLevel.None)

/**
 * A fresh world over `storage`, which must build an empty store every time (memoryStorage does; a
 * database layer needs its own database per build): ids and the sandbox restart with every world.
 */
export const makeHarness = <E>(storage: Layer.Layer<StoragePorts, E>): Harness => {
  const runtime = ManagedRuntime.make(Layer.merge(world(storage), quiet))
  const attempt = <A, E2>(
    program: Effect.Effect<A, E2, WorldServices | FaultPlan>,
    faults: StepFaults = {},
  ): Promise<Either.Either<A, E2>> => {
    const running = runtime.runPromise(Effect.either(program).pipe(Effect.provide(decorated(faults))))
    return faults.scheduler === undefined ? running : faults.scheduler.waitFor(running)
  }
  return {
    run: (program) => runtime.runPromise(program),
    attempt,
    race: (programs, scheduler, crashAt = null) =>
      attempt(Effect.all(programs.map(Effect.either), { concurrency: "unbounded" }), {
        scheduler,
        crashAt,
      }).then(Either.getOrThrow),
    dispose: () => runtime.dispose(),
  }
}

export const seedProduct = (overrides: Partial<Product>) =>
  Effect.gen(function* () {
    const product = aProduct({ stock: { available: 1_000, reserved: 0, committed: 0 }, ...overrides })
    yield* (yield* ProductCatalog).insert(product)
    return product
  })

export const loadOrder = (id: OrderId) =>
  Effect.flatMap(OrderRepository, (orders) => orders.findById(id)).pipe(Effect.map(Option.getOrThrow))

export const loadOrders = (ids: ReadonlyArray<OrderId>) => Effect.forEach(ids, loadOrder)

/** A pending order with an open sandbox session: the start of every scenario. */
export const checkout = (product: Product, quantity: number) =>
  Effect.map(
    createCheckout({
      items: [{ sku: product.sku, quantity }],
      currency: product.price.currency,
      email: "shopper@example.com",
    }),
    ({ order }) => order,
  )

/** checkout → sandbox pay → handlePaymentEvent: a `confirmed` order with its payment captured. */
export const confirmedOrder = (product: Product, quantity: number) =>
  Effect.gen(function* () {
    const order = yield* checkout(product, quantity)
    const paid = yield* (yield* SandboxControl).pay(order.payment.sessionId!)
    yield* handlePaymentEvent(paid)
    const confirmed = yield* loadOrder(order.id)
    if (confirmed.status !== "confirmed")
      return yield* Effect.die(`setup: ${order.id} is ${confirmed.status}`)
    return confirmed
  })

export const now = Effect.flatMap(Clock, (clock) => clock.now)

export type { Order }
