import { SandboxControl } from "@settle/adapters"
import {
  acceptReviewedPayment,
  type CouponCode,
  createCheckout,
  handlePaymentEvent,
  type Order,
  OrderRepository,
  type PaymentEvent,
  type Product,
  refundOrder,
  refundReviewedPayment,
  StoreError,
} from "@settle/domain"
import { Effect } from "effect"
import { loadOrder } from "./I678Harness.js"

/** The states an order can be found in by an admin or a job, each reached through the real flow. */
export const ORDER_KINDS = [
  "confirmed",
  "refunded",
  "pending",
  /** Paid at Stripe, the webhook never arrived: the reconciler's to find. */
  "paidAtStripe",
  /** Paid at Stripe with another amount, never delivered: the reconciler sends it to review. */
  "tamperedAtStripe",
  /** Expired at Stripe, never delivered: the reconciler expires it. */
  "expiredAtStripe",
  /** Crashed after pending → paid, before confirmation: the runbook's stuck order. */
  "paidCrashed",
  "expired",
  "cancelled",
  "review",
  /** Held for review, then accepted by a human: confirmed. */
  "reviewAccepted",
  /** Held for review, then refunded and closed by a human. */
  "reviewRefunded",
] as const
export type OrderKind = (typeof ORDER_KINDS)[number]

export interface PlacedOrder {
  readonly order: Order
  /** The payment event Stripe sent (or would send), delivered or not. */
  readonly event: PaymentEvent | null
}

// The crash window of runbook scenario 1: the process dies just before paid → confirmed.
const crashBeforeConfirming = <A, E, R>(program: Effect.Effect<A, E, R>) =>
  Effect.flatMap(OrderRepository, (orders) =>
    Effect.provideService(program, OrderRepository, {
      ...orders,
      markFinalized: () => Effect.fail(new StoreError({ message: "injected crash before confirmation" })),
    }),
  )

/** An order of `kind`, driven there by checkout, the sandbox and the use-cases, never written by hand. */
export const placeOrder = (kind: OrderKind, product: Product, couponCode: CouponCode | null) =>
  Effect.gen(function* () {
    const sandbox = yield* SandboxControl
    const { order } = yield* createCheckout({
      items: [{ sku: product.sku, quantity: 1 }],
      currency: product.price.currency,
      email: "shopper@example.com",
      ...(couponCode === null ? {} : { couponCode }),
    })
    const sessionId = order.payment.sessionId!
    const tampered = { amount: order.totals.total + 1 }
    let event: PaymentEvent | null = null
    switch (kind) {
      case "pending":
        break
      case "confirmed":
      case "refunded":
      case "paidAtStripe":
        event = yield* sandbox.pay(sessionId)
        if (kind !== "paidAtStripe") yield* handlePaymentEvent(event)
        if (kind === "refunded") yield* refundOrder({ orderId: order.id, actor: "ops@example.com" })
        break
      case "tamperedAtStripe":
      case "review":
      case "reviewAccepted":
      case "reviewRefunded": {
        event = yield* sandbox.pay(sessionId, tampered)
        if (kind === "tamperedAtStripe") break
        yield* handlePaymentEvent(event)
        const decision = { orderId: order.id, actor: "risk@example.com", reason: "checked with the bank" }
        if (kind === "reviewAccepted") yield* acceptReviewedPayment(decision)
        if (kind === "reviewRefunded") yield* refundReviewedPayment(decision)
        break
      }
      case "expiredAtStripe":
      case "expired":
        event = yield* sandbox.expire(sessionId)
        if (kind === "expired") yield* handlePaymentEvent(event)
        break
      case "paidCrashed":
        event = yield* sandbox.pay(sessionId)
        yield* Effect.either(crashBeforeConfirming(handlePaymentEvent(event)))
        break
      case "cancelled":
        event = yield* sandbox.failAsync(sessionId)
        yield* handlePaymentEvent(event)
        break
    }
    return { order: yield* loadOrder(order.id), event } satisfies PlacedOrder
  })

/** Where each kind must stand once placed, so a scenario never starts from a state it did not mean. */
export const STATUS_OF_KIND: Record<OrderKind, Order["status"]> = {
  confirmed: "confirmed",
  refunded: "refunded",
  pending: "pending",
  paidAtStripe: "pending",
  tamperedAtStripe: "pending",
  expiredAtStripe: "pending",
  paidCrashed: "paid",
  expired: "expired",
  cancelled: "cancelled",
  review: "payment_review",
  reviewAccepted: "confirmed",
  reviewRefunded: "refunded",
}
