import { SandboxControl } from "@settle/adapters"
import {
  AuditLog,
  CouponReservationRepository,
  expireReservations,
  handlePaymentEvent,
  type Order,
  OrderId,
  type PaymentSucceeded,
} from "@settle/domain"
import { Effect, Option } from "effect"
import { ClockControl } from "../../src/fakes/ControlledClock.js"
import {
  checkout,
  couponOf,
  ledgerOf,
  MUG,
  orderOf,
  PLATE,
  pay,
  pendingCouponOrder,
  productOf,
  sandboxRefunds,
  sessionOf,
} from "./support.js"

/** The order of `pendingCouponOrder`: the first order of a fresh world, 27.00 EUR after SAVE10. */
export const ORDER = OrderId.make("ord_000001")

export const operator = (extra: Record<string, unknown> = {}) => ({
  orderId: ORDER,
  actor: "risk@shop",
  reason: "RISK-7: customer confirmed the payment by phone",
  ...extra,
})

/** Held for review because Stripe captured 1.00 EUR for a 27.00 EUR order (a tampered session). */
export const mismatchedReview = Effect.gen(function* () {
  const order = yield* pendingCouponOrder
  const event = yield* (yield* SandboxControl).pay(yield* sessionOf(order), { amount: 100 })
  yield* handlePaymentEvent(event)
  return { order: yield* orderOf(order.id), event }
})

/**
 * Held for review because the payment came after the order expired and another shopper bought both
 * mugs meanwhile (`late_payment_capacity_gone`): the order holds nothing any more.
 */
export const lateReview = Effect.gen(function* () {
  const order = yield* pendingCouponOrder
  yield* (yield* ClockControl).set(new Date(order.expiresAt.getTime() + 60_000))
  yield* expireReservations()
  yield* pay(yield* checkout([{ sku: "MUG-1", quantity: 2 }]))
  const event: PaymentSucceeded = yield* (yield* SandboxControl).pay(yield* sessionOf(order))
  yield* handlePaymentEvent(event)
  return { order: yield* orderOf(order.id), event }
})

const reservationOf = (order: Order) => {
  const couponId = order.couponId
  return couponId === null
    ? Effect.succeed(null)
    : Effect.flatMap(CouponReservationRepository, (records) => records.find(couponId, order.id)).pipe(
        Effect.map((found) => Option.getOrNull(Option.map(found, (record) => record.status))),
      )
}

/**
 * What a resolution leaves behind, without the ids and versions a crashed first attempt may have
 * consumed: the state every repeat must converge to.
 */
export const books = (id: OrderId = ORDER) =>
  Effect.gen(function* () {
    const order = yield* orderOf(id)
    const [mug, plate, coupon] = [yield* productOf(MUG), yield* productOf(PLATE), yield* couponOf("SAVE10")]
    return {
      status: order.status,
      processedAt: order.webhook.processedAt,
      invoice: order.invoice.status,
      amountRefunded: order.payment.amountRefunded,
      refunds: order.refunds.map((r) => ({ id: r.id, amount: r.amount, gatewayRefundId: r.gatewayRefundId })),
      stock: { mug: mug.stock, plate: plate.stock },
      holds: [...mug.holds, ...plate.holds, ...coupon.holds].filter((hold) => hold.orderId === id),
      coupon: {
        available: coupon.available,
        reservedCount: coupon.reservedCount,
        redeemedCount: coupon.redeemedCount,
      },
      reservation: yield* reservationOf(order),
      payments: (yield* ledgerOf(id, "payment")).map((e) => [e.amount, e.externalId, e.idempotencyKey]),
      refundEntries: (yield* ledgerOf(id, "refund")).map((e) => [e.amount, e.externalId, e.idempotencyKey]),
      takenAtGateway: (yield* sandboxRefunds).map((r) => [r.amount, r.idempotencyKey]),
      audit: (yield* (yield* AuditLog).listByOrder(id))
        .filter((record) => record.action.startsWith("order.review_"))
        .map((record) => [record.action, record.actor, record.reason]),
    }
  })
