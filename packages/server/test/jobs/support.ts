import { MongoStorage } from "@settle/adapters"
import {
  CouponCode,
  CouponRepository,
  CouponReservationRepository,
  createCheckout,
  handlePaymentEvent,
  JobLeases,
  money,
  type Order,
  type OrderId,
  OrderRepository,
  ProductCatalog,
  ProductId,
  type SessionId,
  Sku,
  type StoragePorts,
} from "@settle/domain"
import {
  ClockControl,
  fixtures,
  freshMongoDatabase,
  memoryStorage,
  SandboxControl,
  world,
} from "@settle/testkit"
import { Effect, Layer, Logger, LogLevel, ManagedRuntime, Option } from "effect"
import { inject } from "vitest"
import type { JobName } from "../../src/jobs/catalog.js"
import { type JobsSettings, makeJobRunner } from "../../src/jobs/runner.js"

/** The two stores every job is tested on; the Mongo one is a fresh database per test (FerretDB or MONGO_URL). */
export const stores: ReadonlyArray<{
  readonly name: string
  readonly storage: Layer.Layer<StoragePorts, unknown>
}> = [
  { name: "memory", storage: memoryStorage },
  {
    name: "mongo",
    storage: MongoStorage.layer.pipe(
      Layer.provide(Layer.suspend(() => freshMongoDatabase({ uri: inject("mongoUrl") }))),
    ),
  },
]

const worldOf = (storage: Layer.Layer<StoragePorts, unknown>) => world(storage)
export type JobWorld = Layer.Layer.Success<ReturnType<typeof worldOf>>

/** Log lines as `LEVEL message`, for the tests that assert on `[jobs.<name>]` lines. */
export const captureLogs = (lines: Array<string>) =>
  Layer.merge(
    Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ logLevel, message }) => {
        lines.push(`${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}`)
      }),
    ),
    Logger.minimumLogLevel(LogLevel.Debug),
  )

/**
 * Runs `program` in a fresh world (storage plus the testkit's fakes, the clock at T0), its logs into
 * `logs`; `around` replaces ports of the world (a slow or failing store).
 */
export const runInWorld = async <A, E>(
  storage: Layer.Layer<StoragePorts, unknown>,
  program: Effect.Effect<A, E, JobWorld>,
  options: {
    readonly logs?: Array<string>
    readonly around?: (layer: Layer.Layer<JobWorld, unknown>) => Layer.Layer<JobWorld, unknown>
  } = {},
): Promise<A> => {
  const base = worldOf(storage)
  const runtime = ManagedRuntime.make(
    Layer.merge(options.around?.(base) ?? base, captureLogs(options.logs ?? [])),
  )
  try {
    return await runtime.runPromise(program)
  } finally {
    await runtime.dispose()
  }
}

export const SETTINGS: JobsSettings = { everyMs: {}, leaseMs: 60_000, runTimeoutMs: 60_000 }

/** A runner that schedules nothing: the tests run jobs one at a time, as the admin trigger does. */
export const runJob = (name: JobName, settings: JobsSettings = SETTINGS) =>
  makeJobRunner(settings).runNow(name)

export const leaseOf = (job: JobName) =>
  Effect.flatMap(JobLeases, (leases) => leases.list()).pipe(
    Effect.map((all) => all.find((lease) => lease.job === job) ?? null),
  )

export const advance = (ms: number) => Effect.flatMap(ClockControl, (clock) => clock.advance(ms))

export const MUG = ProductId.make("prd_mug")

/** A mug at 10.00 EUR with `stock` available and the SAVE10 coupon with `redemptions` (10 unless told). */
export const stockShop = (stock = 5, redemptions = 10) =>
  Effect.gen(function* () {
    yield* (yield* ProductCatalog).insert(
      fixtures.aProduct({
        id: MUG,
        sku: Sku.make("MUG-1"),
        price: money(1000, "EUR"),
        stock: { available: stock, reserved: 0, committed: 0 },
      }),
    )
    yield* (yield* CouponRepository).insert(
      fixtures.aCoupon({
        code: CouponCode.make("SAVE10"),
        maxRedemptions: redemptions,
        available: redemptions,
      }),
    )
  })

/** A checkout of `quantity` mugs, with the coupon unless told; pending, with its sandbox session open. */
export const checkout = (quantity = 1, couponCode: string | null = "SAVE10") =>
  Effect.map(
    createCheckout({
      items: [{ sku: "MUG-1", quantity }],
      currency: "EUR",
      email: "shopper@example.com",
      ...(couponCode === null ? {} : { couponCode }),
    }),
    (result) => result.order,
  )

const sessionOf = (order: Order): SessionId => {
  if (order.payment.sessionId === null) throw new Error(`order ${order.id} has no session`)
  return order.payment.sessionId
}

/** The customer pays; Stripe's event is returned, not delivered (a webhook that never arrived). */
export const payAtSandbox = (order: Order) =>
  Effect.flatMap(SandboxControl, (control) => control.pay(sessionOf(order)))

/** The customer pays and the webhook is delivered once: the order ends confirmed, its invoice pending. */
export const payAndDeliver = (order: Order) =>
  Effect.flatMap(payAtSandbox(order), (event) => handlePaymentEvent(event))

export const orderOf = (id: OrderId) =>
  Effect.flatMap(OrderRepository, (orders) => orders.findById(id)).pipe(Effect.map(Option.getOrThrow))

export const couponOf = (code: string) =>
  Effect.flatMap(CouponRepository, (coupons) => coupons.list()).pipe(
    Effect.map((all) => {
      const found = all.find((coupon) => coupon.code === code)
      if (found === undefined) throw new Error(`no coupon ${code}`)
      return found
    }),
  )

export const stockOf = Effect.flatMap(ProductCatalog, (catalog) => catalog.findById(MUG)).pipe(
  Effect.map((product) => Option.getOrThrow(product).stock),
)

export const leakedAt = (now: Date) =>
  Effect.flatMap(CouponReservationRepository, (reservations) => reservations.countLeaked(now))
