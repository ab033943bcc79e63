import { SandboxControl } from "@settle/adapters"
import {
  AuditLog,
  type AuditRecord,
  CouponCode,
  CouponRepository,
  createCheckout,
  handlePaymentEvent,
  Ledger,
  type LedgerKind,
  money,
  type Order,
  type OrderId,
  OrderRepository,
  type PaymentEvent,
  PaymentGateway,
  type Product,
  ProductCatalog,
  ProductId,
  type RefundRequest,
  Sku,
  type Stock,
  WebhookEventInbox,
} from "@settle/domain"
import { Cause, Context, Effect, Exit, Layer, Logger, LogLevel, Option } from "effect"
import type * as fc from "fast-check"
import { expect } from "vitest"
import { type Labels, MetricsProbe } from "../../src/fakes/MemoryMetrics.js"
import {
  arm,
  callLog,
  disarm,
  type FaultPlan,
  planLayer,
  withFaults,
} from "../../src/faults/FaultInjection.js"
import { withInterleaving } from "../../src/faults/Interleaving.js"
import { aCoupon, aProduct } from "../../src/fixtures.js"
import { crashablePorts, memoryStorage, racingPorts, world } from "../../src/index.js"

export { T0 } from "../../src/fixtures.js"

const memoryWorld = world(memoryStorage)
/** Every port a use-case can ask for, plus the fakes' controls (SandboxControl, MetricsProbe, …). */
export type WorldServices = Layer.Layer.Success<typeof memoryWorld>

/** Every refund request that reached the payment gateway, failed ones included. */
export interface GatewayLog {
  readonly refunds: Effect.Effect<ReadonlyArray<RefundRequest>>
}
export const GatewayLog = Context.GenericTag<GatewayLog>("@settle/testkit/test/GatewayLog")

/** `layer` whose payment gateway records each refund request before passing it on. */
const logRefunds = <E, R>(layer: Layer.Layer<WorldServices, E, R>) =>
  Layer.flatMap(layer, (context) =>
    Layer.effectContext(
      Effect.sync(() => {
        const calls: Array<RefundRequest> = []
        const gateway = Context.get(context, PaymentGateway)
        const refund = (request: RefundRequest) =>
          Effect.suspend(() => {
            calls.push(request)
            return gateway.refund(request)
          })
        return context.pipe(
          Context.add(PaymentGateway, PaymentGateway.of({ ...gateway, refund })),
          Context.add(GatewayLog, GatewayLog.of({ refunds: Effect.sync(() => [...calls]) })),
        )
      }),
    ),
  )

export type TestServices = WorldServices | GatewayLog

/** The use-cases' logs are for operators; the assertions say what a test needs to know. */
const quiet = Logger.minimumLogLevel(LogLevel.None)

/** Run a program in a fresh testkit memory world. */
export const run = <A, E>(program: Effect.Effect<A, E, TestServices>): Promise<A> =>
  Effect.runPromise(program.pipe(Effect.provide(logRefunds(memoryWorld)), Effect.provide(quiet)))

/**
 * Run a program in a fresh memory world whose store and gateway calls wait for `scheduler`, so
 * fast-check explores the interleavings of the program's concurrent fibers.
 */
export const runInterleaved = <A, E>(
  scheduler: fc.Scheduler,
  program: Effect.Effect<A, E, TestServices>,
): Promise<A> =>
  scheduler.waitFor(
    Effect.runPromise(
      program.pipe(
        Effect.provide(logRefunds(withInterleaving(memoryWorld, scheduler, racingPorts))),
        Effect.provide(quiet),
      ),
    ),
  )

/** Labels (`<Port>.<method>`) of the port calls the scheduler released so far, in release order. */
export const released = (scheduler: fc.Scheduler): ReadonlyArray<string> =>
  scheduler
    .report()
    .filter((task) => task.status !== "pending")
    .map((task) => task.label)

/** True when `count` calls labelled `first` were released before any call labelled `then`. */
export const releasedBefore = (
  labels: ReadonlyArray<string>,
  first: string,
  count: number,
  then: string,
): boolean => {
  const end = labels.indexOf(then)
  return labels.slice(0, end === -1 ? labels.length : end).filter((label) => label === first).length >= count
}

export type FaultyServices = WorldServices | FaultPlan

const faultyWorld = () => Layer.provideMerge(withFaults(memoryWorld, crashablePorts), planLayer())

/** Run a program in a fresh memory world whose store and gateway calls crash as the FaultPlan says. */
export const runFaulty = <A, E>(program: Effect.Effect<A, E, FaultyServices>): Promise<A> =>
  Effect.runPromise(program.pipe(Effect.provide(faultyWorld()), Effect.provide(quiet)))

/**
 * The crash point (1-based call number counted from the arming) of the first call labelled `label`
 * when `program` runs after `setup`, found by a clean run in a fresh world: worlds are deterministic,
 * so the same calls come in the same order in the world the test then crashes.
 */
export const crashPointOf = <A, E, B, E2>(
  setup: Effect.Effect<A, E, FaultyServices>,
  program: (value: A) => Effect.Effect<B, E2, FaultyServices>,
  label: string,
): Promise<number> =>
  runFaulty(
    Effect.gen(function* () {
      const value = yield* setup
      yield* arm(null)
      yield* Effect.either(program(value))
      const log = yield* callLog
      const at = log.indexOf(label)
      if (at === -1) return yield* Effect.dieMessage(`${label} is never called: ${log.join(", ")}`)
      return at + 1
    }),
  )

/** Deliver `event` with the store crashing at call `at` (counted from here); the process "restarts" after. */
export const deliverCrashingAt = (event: PaymentEvent, at: number) =>
  Effect.gen(function* () {
    yield* arm(at)
    const failure = yield* Effect.flip(handlePaymentEvent(event))
    yield* disarm
    return failure
  })

/** The typed error of a failed Exit; a success or a defect fails the test (bad input is never a Die). */
export const typedFailure = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a typed failure, the program succeeded")
  expect(Cause.isDie(exit.cause)).toBe(false)
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) throw new Error(`expected a typed failure: ${Cause.pretty(exit.cause)}`)
  return failure.value
}

export const MUG = ProductId.make("prd_mug")
export const PLATE = ProductId.make("prd_plate")

const tableware = (id: ProductId, sku: string, name: string, stock: Stock) =>
  aProduct({ id, sku: Sku.make(sku), name, price: money(1000, "EUR"), stock })

/** Enamel mug, MUG-1, 10.00 EUR; 2 available unless told. */
export const mug = (stock: Stock = { available: 2, reserved: 0, committed: 0 }) =>
  tableware(MUG, "MUG-1", "Enamel mug", stock)

/** Plate, PLATE-1, 10.00 EUR; 6 available unless told. */
export const plate = (stock: Stock = { available: 6, reserved: 0, committed: 0 }) =>
  tableware(PLATE, "PLATE-1", "Plate", stock)

export const insertProducts = (...products: ReadonlyArray<Product>) =>
  Effect.flatMap(ProductCatalog, (catalog) => Effect.forEach(products, catalog.insert, { discard: true }))

export interface CartLine {
  readonly sku: string
  readonly quantity: number
}

/** A checkout in EUR by shopper@example.com; the order comes back pending with its session open. */
export const checkout = (items: ReadonlyArray<CartLine>, extra: Record<string, unknown> = {}) =>
  Effect.map(
    createCheckout({ items, currency: "EUR", email: "shopper@example.com", ...extra }),
    (result) => result.order,
  )

export const sessionOf = (order: Order) =>
  order.payment.sessionId === null
    ? Effect.dieMessage(`order ${order.id} has no payment session`)
    : Effect.succeed(order.payment.sessionId)

/** The customer pays the order's sandbox session and Stripe delivers the event once. */
export const pay = (order: Order) =>
  Effect.gen(function* () {
    const event = yield* (yield* SandboxControl).pay(yield* sessionOf(order))
    yield* handlePaymentEvent(event)
    return yield* orderOf(order.id)
  })

const TWO_MUGS_AND_A_PLATE: ReadonlyArray<CartLine> = [
  { sku: "MUG-1", quantity: 2 },
  { sku: "PLATE-1", quantity: 1 },
]

/**
 * A confirmed order of 2 mugs and 1 plate at 10.00 EUR each (30.00 captured), checked out and paid
 * through the sandbox; with the default stock, the mugs end {0, 0, 2} and the plates {5, 0, 1}.
 */
export const confirmedOrder = (mugStock?: Stock) =>
  Effect.gen(function* () {
    yield* insertProducts(mug(mugStock), plate())
    return yield* pay(yield* checkout(TWO_MUGS_AND_A_PLATE))
  })

/** A pending order of 2 mugs and 1 plate with the SAVE10 coupon (10%): stock and coupon held. */
export const pendingCouponOrder = Effect.gen(function* () {
  yield* insertProducts(mug(), plate())
  yield* (yield* CouponRepository).insert(aCoupon({ code: CouponCode.make("SAVE10") }))
  return yield* checkout(TWO_MUGS_AND_A_PLATE, { couponCode: "SAVE10" })
})

/** The pending coupon order paid at the sandbox; Stripe's event is handed back, not delivered. */
export const paidAtSandbox = Effect.gen(function* () {
  const order = yield* pendingCouponOrder
  return yield* (yield* SandboxControl).pay(yield* sessionOf(order))
})

/** `count` confirmed orders of one mug each. */
export const confirmedOrders = (count: number) =>
  Effect.gen(function* () {
    yield* insertProducts(mug({ available: count, reserved: 0, committed: 0 }))
    const orders: Array<Order> = []
    for (let i = 0; i < count; i++) {
      orders.push(yield* pay(yield* checkout([{ sku: "MUG-1", quantity: 1 }])))
    }
    return orders
  })

export const orderOf = (id: OrderId) =>
  Effect.flatMap(OrderRepository, (orders) => orders.findById(id)).pipe(Effect.map(Option.getOrThrow))

export const productOf = (id: ProductId) =>
  Effect.flatMap(ProductCatalog, (catalog) => catalog.findById(id)).pipe(Effect.map(Option.getOrThrow))

export const stockOf = (id: ProductId) => Effect.map(productOf(id), (product) => product.stock)

export const couponOf = (code: string) =>
  Effect.flatMap(CouponRepository, (coupons) => coupons.list()).pipe(
    Effect.map((all) => {
      const found = all.find((coupon) => coupon.code === code)
      if (found === undefined) throw new Error(`no coupon ${code}`)
      return found
    }),
  )

export const recordOf = (stripeEventId: string) =>
  Effect.flatMap(WebhookEventInbox, (inbox) => inbox.find(stripeEventId)).pipe(Effect.map(Option.getOrThrow))

export const ledgerOf = (orderId: OrderId, kind: LedgerKind) =>
  Effect.flatMap(Ledger, (ledger) => ledger.listByOrder(orderId)).pipe(
    Effect.map((entries) => entries.filter((entry) => entry.kind === kind)),
  )

/** The whole audit log, oldest first. */
export const auditTrail = Effect.flatMap(AuditLog, (log) => log.recent(1000)).pipe(
  Effect.map(
    (records): ReadonlyArray<AuditRecord> => [...records].sort((a, b) => a.at.getTime() - b.at.getTime()),
  ),
)

export const metric = (name: string, labels?: Labels) =>
  Effect.flatMap(MetricsProbe, (probe) => probe.value(name, labels))

export const metrics = Effect.flatMap(MetricsProbe, (probe) => probe.snapshot)

export const gatewayRefunds = Effect.flatMap(GatewayLog, (log) => log.refunds)

/** Refunds the sandbox actually took, over every captured payment. */
export const sandboxRefunds = Effect.flatMap(SandboxControl, (control) => control.captures).pipe(
  Effect.map((captures) => captures.flatMap((capture) => capture.refunds)),
)
