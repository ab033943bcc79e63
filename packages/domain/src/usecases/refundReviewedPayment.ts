import { Effect, Option } from "effect"
import {
  IllegalTransition,
  type InvalidInput,
  type OrderNotFound,
  type PaymentGatewayError,
  type PaymentRefused,
  RefundExceedsCaptured,
  type StoreError,
  WriteConflict,
} from "../errors.js"
import { holdKey } from "../model/Hold.js"
import type { Order, Refund } from "../model/Order.js"
import { sourcesOf } from "../model/OrderStatus.js"
import type { AuditLog } from "../ports/AuditLog.js"
import { Clock } from "../ports/Clock.js"
import type { CouponRepository } from "../ports/CouponRepository.js"
import type { CouponReservationRepository } from "../ports/CouponReservationRepository.js"
import type { IdGenerator } from "../ports/IdGenerator.js"
import type { Ledger } from "../ports/Ledger.js"
import { Metrics } from "../ports/Metrics.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import type { PaymentGateway } from "../ports/PaymentGateway.js"
import type { ProductCatalog } from "../ports/ProductCatalog.js"
import { decodeInput } from "./decodeInput.js"
import { recordPayment } from "./finalizePayment.js"
import { ledgerRefund, refundAtGateway, releaseRefused } from "./refundOrder.js"
import { capturedOf, chargeCurrency } from "./refundPlan.js"
import {
  auditOnce,
  loadOrder,
  ReviewResolutionRequest as Request,
  type ReviewResolutionRequest,
  releaseHoldsWhere,
  reviewRefundId,
  reviewRefundOf,
  reviewSnapshot,
} from "./reviewResolution.js"

export type RefundReviewServices =
  | OrderRepository
  | ProductCatalog
  | CouponRepository
  | CouponReservationRepository
  | PaymentGateway
  | Ledger
  | Metrics
  | AuditLog
  | IdGenerator
  | Clock

export type RefundReviewError =
  | InvalidInput
  | OrderNotFound
  | IllegalTransition
  | RefundExceedsCaptured
  | PaymentGatewayError
  | PaymentRefused
  | WriteConflict
  | StoreError

/** `AlreadyRefunded`: an earlier request refunded it in full; nothing moved this time. */
export interface RefundReviewOutcome {
  readonly _tag: "Refunded" | "AlreadyRefunded"
  readonly order: Order
  readonly refund: Refund
}

/** Rounds lost to other writers (an acceptance, a copy of this request) before WriteConflict. */
const MAX_ROUNDS = 5

/**
 * The money and the books of a refund already reserved on the order, then the sweep of its holds and
 * the audit record. Every step is conditional or idempotent (the gateway on the refund's id, the
 * ledger on its unique keys), so a repeat after a failure or a crash anywhere finishes it once.
 */
const finish = (reserved: Order, refund: Refund, request: ReviewResolutionRequest, first: Order) =>
  Effect.gen(function* () {
    const orders = yield* OrderRepository
    const metrics = yield* Metrics
    let order = reserved
    let done = refund
    if (refund.gatewayRefundId === null) {
      // The order is already refunded-in-waiting when the gateway is asked.
      const issued = yield* refundAtGateway(order, refund, (error) => ({
        actor: request.actor,
        action: "order.review_refund_failed",
        orderId: order.id,
        reason: request.reason,
        before: reviewSnapshot(first),
        after: { ...reviewSnapshot(order), refundId: refund.id, error },
      })).pipe(
        // Refused, nothing moved: the order goes back to review, where it can be accepted or refunded
        // again. Its holds stay released: an acceptance holds its capacity anew.
        Effect.tapErrorTag("PaymentRefused", () =>
          releaseRefused(order.id, refund.id, () => "payment_review").pipe(Effect.ignore),
        ),
      )
      const at = yield* (yield* Clock).now
      // The books show the money that came in and the money that went back: the payment entry first.
      yield* recordPayment(order, at)
      yield* ledgerRefund(order, refund.id, refund.amount, issued.refundId, at)
      const marked = yield* orders.setGatewayRefundId(order.id, refund.id, issued.refundId, at)
      if (Option.isSome(marked)) yield* metrics.refundOperation("success")
      order = Option.isSome(marked) ? marked.value : yield* loadOrder(order.id)
      done = { ...refund, gatewayRefundId: issued.refundId }
    }
    // Refunded is terminal, so every hold still there is a stray (an acceptance that lost the race
    // and crashed before giving its holds back): all of them go.
    yield* releaseHoldsWhere(order, yield* (yield* Clock).now, () => true)
    yield* auditOnce({
      actor: request.actor,
      action: "order.review_refund",
      orderId: order.id,
      reason: request.reason,
      before: reviewSnapshot(first),
      after: { ...reviewSnapshot(order), refundId: done.id, gatewayRefundId: done.gatewayRefundId },
    })
    const earlier = reviewRefundOf(first)
    const already = earlier !== undefined && earlier.gatewayRefundId !== null
    if (!already) {
      yield* Effect.logInfo("[orders.review] payment refunded from review: order closed").pipe(
        Effect.annotateLogs({ orderId: order.id, actor: request.actor, refundId: done.id }),
      )
    }
    return {
      _tag: already ? "AlreadyRefunded" : "Refunded",
      order,
      refund: done,
    } satisfies RefundReviewOutcome
  })

/**
 * Refund in full what was captured for a payment held for review, and close the order: `payment_review
 * → refunded` (terminal, so no redelivery can revive it, as it could a `cancelled` order), the refund
 * under `refund:<orderId>:0`, a payment and a refund ledger entry, every hold released. The amount is
 * reserved on the order before any money moves; a repeat, after success or after a failure or crash
 * anywhere, finishes that refund and never refunds twice. Audited as `order.review_refund`.
 */
export const refundReviewedPayment = (
  input: unknown,
): Effect.Effect<RefundReviewOutcome, RefundReviewError, RefundReviewServices> =>
  Effect.gen(function* () {
    const request = yield* decodeInput(Request)(input)
    const orders = yield* OrderRepository
    const first = yield* loadOrder(request.orderId)
    let order = first
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const existing = reviewRefundOf(order)
      if (existing !== undefined) return yield* finish(order, existing, request, first)
      if (order.status !== "payment_review") {
        return yield* new IllegalTransition({ from: order.status, action: "refund_review" })
      }
      const captured = capturedOf(order)
      if (captured <= 0)
        return yield* new RefundExceedsCaptured({
          requested: 0,
          refundable: 0,
          currency: chargeCurrency(order),
        })
      const at = yield* (yield* Clock).now
      // Claiming the next epoch supersedes an acceptance holding at the same time (its move to paid is
      // conditional on its own epoch), so the holds released next belong to nobody.
      const epoch = order.holdEpoch + 1
      const claimed = yield* orders.transition(
        order.id,
        ["payment_review"],
        { holdEpoch: epoch },
        at,
        order.holdEpoch,
      )
      if (Option.isSome(claimed)) {
        // Released before the status turns refunded: the jobs would settle a finalized order's coupon
        // reservation still `reserved` as redeemed, which a refunded payment's never is.
        const ours = new Set(Array.from({ length: epoch + 1 }, (_, past) => holdKey(order.id, past)))
        yield* releaseHoldsWhere(claimed.value, at, (hold) => ours.has(hold.key))
        const refund: Refund = {
          id: reviewRefundId(order.id),
          amount: captured,
          gatewayRefundId: null,
          reason: request.reason,
          restock: false,
          at,
        }
        const appended = yield* orders.appendRefund(
          order.id,
          refund,
          captured,
          sourcesOf("refund_review"),
          "refunded",
          at,
        )
        if (Option.isSome(appended)) return yield* finish(appended.value, refund, request, first)
      }
      order = yield* loadOrder(order.id)
    }
    return yield* new WriteConflict({ entity: "orders", id: request.orderId })
  })
