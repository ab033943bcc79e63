import { Effect, Option, Schema } from "effect"
import { OrderNotFound } from "../errors.js"
import { Actor } from "../model/AuditRecord.js"
import type { Hold } from "../model/Hold.js"
import { OrderId } from "../model/Ids.js"
import type { Order, Refund } from "../model/Order.js"
import { isFinalized } from "../model/OrderStatus.js"
import { AuditLog } from "../ports/AuditLog.js"
import { CouponRepository } from "../ports/CouponRepository.js"
import { CouponReservationRepository } from "../ports/CouponReservationRepository.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import { ProductCatalog } from "../ports/ProductCatalog.js"
import { type AuditEntry, recordAudit } from "./audit.js"

/** What both resolutions of a payment held for review take: one order, who decides, and why. */
export const ReviewResolutionRequest = Schema.Struct({
  orderId: OrderId,
  actor: Actor,
  reason: Schema.Trim.pipe(
    Schema.minLength(1, { message: () => "reason must not be empty" }),
    Schema.maxLength(500, { message: () => "reason must be at most 500 characters" }),
  ),
})
export type ReviewResolutionRequest = typeof ReviewResolutionRequest.Type

/**
 * `refund:<orderId>:0`, the refund of a payment held for review and its gateway idempotency key.
 * Numbered admin refunds start at 1 and a requestId is never all digits, so no other refund takes it.
 */
export const reviewRefundId = (orderId: OrderId): string => `refund:${orderId}:0`

export const reviewRefundOf = (order: Order): Refund | undefined =>
  order.refunds.find((refund) => refund.id === reviewRefundId(order.id))

/**
 * Where an order stands with its review, read from the order alone so that a repeated or resumed
 * resolution knows what is left to do. `reviewReason` is set only on entering review, and only the
 * two resolutions leave it: `paid` with a reason is an acceptance under way.
 */
export type ReviewStanding = "in_review" | "accepting" | "accepted" | "refunded" | "never_reviewed"

export const reviewStanding = (order: Order): ReviewStanding => {
  if (order.status === "payment_review") return "in_review"
  if (order.reviewReason === null) return "never_reviewed"
  if (reviewRefundOf(order) !== undefined) return "refunded"
  if (order.status === "paid") return "accepting"
  return isFinalized(order.status) ? "accepted" : "never_reviewed"
}

export const loadOrder = (id: OrderId) =>
  Effect.flatMap(OrderRepository, (orders) => orders.findById(id)).pipe(
    Effect.flatMap(Option.match({ onNone: () => new OrderNotFound({ key: id }), onSome: Effect.succeed })),
  )

/** What the audit records show of an order before and after its resolution. */
export const reviewSnapshot = (order: Order) => ({
  status: order.status,
  reviewReason: order.reviewReason,
  amountReceived: order.payment.amountReceived,
  currency: order.payment.currency,
  amountRefunded: order.payment.amountRefunded,
  processedAt: order.webhook.processedAt,
})

/**
 * An order is resolved once, so its resolution has one audit record: a repeat, or the resumption of a
 * resolution that crashed before its record, writes it only when it is missing (I8).
 */
export const auditOnce = (entry: AuditEntry & { readonly orderId: OrderId }) =>
  Effect.gen(function* () {
    const trail = yield* (yield* AuditLog).listByOrder(entry.orderId)
    const existing = trail.find((record) => record.action === entry.action)
    return existing ?? (yield* recordAudit(entry))
  })

/**
 * Release the order's holds that `owned` picks, on its products and its coupon, and mark a reservation
 * record still `reserved` released. Each release is conditional on the hold being there, so a repeat
 * releases nothing twice.
 */
export const releaseHoldsWhere = (order: Order, at: Date, owned: (hold: Hold) => boolean) =>
  Effect.gen(function* () {
    const catalog = yield* ProductCatalog
    for (const productId of new Set(order.items.map((item) => item.productId))) {
      const product = yield* catalog.findById(productId)
      for (const hold of Option.isSome(product) ? product.value.holds : []) {
        if (hold.orderId === order.id && owned(hold)) yield* catalog.releaseHold(productId, hold.key, at)
      }
    }
    if (order.couponId === null) return
    const coupons = yield* CouponRepository
    const coupon = yield* coupons.findById(order.couponId)
    for (const hold of Option.isSome(coupon) ? coupon.value.holds : []) {
      if (hold.orderId === order.id && owned(hold)) yield* coupons.releaseHold(order.couponId, hold.key, at)
    }
    yield* (yield* CouponReservationRepository).transition(
      order.couponId,
      order.id,
      ["reserved"],
      "released",
      at,
    )
  })
