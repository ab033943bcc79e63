import {
  createCheckout,
  handlePaymentEvent,
  money,
  type Order,
  OrderRepository,
  ProductCatalog,
  Sku,
  type StoragePorts,
} from "@settle/domain"
import { fixtures, SandboxControl, world } from "@settle/testkit"
import { Effect, type Layer, Logger, LogLevel, Option } from "effect"

export interface ReviewShop {
  /** Two mugs (30.00 EUR) for which Stripe captured 1.00 EUR: held in payment_review. */
  readonly toAccept: Order
  /** The same, for the refund. */
  readonly toRefund: Order
  /** Paid in full and confirmed: nothing to review. */
  readonly confirmed: Order
}

const checkout = Effect.map(
  createCheckout({ items: [{ sku: "MUG-1", quantity: 2 }], currency: "EUR", email: "shopper@example.com" }),
  (result) => result.order,
)

/** Checked out and paid `amount` (the order's total unless told) at the sandbox, its event delivered. */
const paid = (amount?: number) =>
  Effect.gen(function* () {
    const order = yield* checkout
    if (order.payment.sessionId === null) return yield* Effect.dieMessage(`order ${order.id} has no session`)
    yield* handlePaymentEvent(
      yield* (yield* SandboxControl).pay(order.payment.sessionId, amount === undefined ? {} : { amount }),
    )
    return Option.getOrThrow(yield* (yield* OrderRepository).findById(order.id))
  })

/** Payments held for review the way production holds them: tampered amounts, through the use-cases. */
export const seedReviewShop = (storage: Layer.Layer<StoragePorts, unknown>): Promise<ReviewShop> =>
  Effect.gen(function* () {
    yield* (yield* ProductCatalog).insert(
      fixtures.aProduct({
        sku: Sku.make("MUG-1"),
        price: money(1500, "EUR"),
        stock: { available: 20, reserved: 0, committed: 0 },
      }),
    )
    return { toAccept: yield* paid(100), toRefund: yield* paid(100), confirmed: yield* paid() }
  }).pipe(
    Effect.provide(world(storage, new Date())),
    Effect.provide(Logger.minimumLogLevel(LogLevel.None)),
    Effect.runPromise,
  )
