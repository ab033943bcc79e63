import { Context, Duration, Effect, Option, Random } from "effect"
import { OrderNotFound, WriteConflict } from "../errors.js"
import { holdKey } from "../model/Hold.js"
import type { OrderId, PaymentIntentId, SessionId } from "../model/Ids.js"
import type { Money } from "../model/Money.js"
import type { Order } from "../model/Order.js"
import { isFinalized, sourcesOf } from "../model/OrderStatus.js"
import { Clock } from "../ports/Clock.js"
import { CouponRepository } from "../ports/CouponRepository.js"
import { CouponReservationRepository } from "../ports/CouponReservationRepository.js"
import { IdGenerator } from "../ports/IdGenerator.js"
import { Ledger } from "../ports/Ledger.js"
import { Metrics } from "../ports/Metrics.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import { ProductCatalog } from "../ports/ProductCatalog.js"
import { awaitRevival, revivalUnderWay, reviveOrder } from "./reviveOrder.js"

/** A payment the provider vouches for (a verified webhook, or the provider's own session state). */
export interface VerifiedPayment {
  readonly sessionId: SessionId | null
  readonly paymentIntentId: PaymentIntentId
  readonly amount: Money
}

export type FinalizeOutcome =
  | { readonly _tag: "Finalized"; readonly order: Order }
  | { readonly _tag: "AlreadyFinalized"; readonly order: Order }
  | { readonly _tag: "AmountMismatch"; readonly order: Order }
  | { readonly _tag: "InReview"; readonly order: Order }

/** Each lost compare-and-set means another writer moved the order; re-reading a few times settles it. */
const MAX_ROUNDS = 8

const matches = (order: Order, payment: VerifiedPayment): boolean =>
  payment.amount.amount === order.totals.total && payment.amount.currency === order.totals.currency

/**
 * The payment a `paid` order already recorded: verified when the order became paid, or accepted by a
 * human from review. Finishing it never sends the order back to review.
 */
const isRecorded = (order: Order, payment: VerifiedPayment): boolean =>
  payment.paymentIntentId === order.payment.paymentIntentId &&
  payment.amount.amount === order.payment.amountReceived &&
  payment.amount.currency === order.payment.currency

const paymentFields = (payment: VerifiedPayment, at: Date) => ({
  paymentIntentId: payment.paymentIntentId,
  amountReceived: payment.amount.amount,
  currency: payment.amount.currency,
  paidAt: at,
})

/**
 * The payment ledger entry of what the order received, in the currency it was received in (a payment
 * accepted or refunded from review may differ from the order's); (kind, paymentIntentId) keeps it single.
 */
export const recordPayment = (order: Order, at: Date) =>
  Effect.flatMap(Effect.context<Ledger | IdGenerator>(), (ports) => recordPaymentWith(ports, order, at))

const recordPaymentWith = (ports: Context.Context<Ledger | IdGenerator>, order: Order, at: Date) =>
  Effect.gen(function* () {
    const intent = order.payment.paymentIntentId
    if (intent === null || order.payment.amountReceived === null) return
    yield* Context.get(ports, Ledger).append({
      id: yield* Context.get(ports, IdGenerator).next("led"),
      orderId: order.id,
      kind: "payment",
      amount: {
        amount: order.payment.amountReceived,
        currency: order.payment.currency ?? order.totals.currency,
      },
      externalId: intent,
      idempotencyKey: `checkout:${order.id}`,
      createdAt: at,
    })
  })

/**
 * Steps 3b-5 for an order already `paid`: ledger, stock, coupon, then confirmed + processedAt. Every
 * step is conditional, so running this again after a crash anywhere, or concurrently, applies each once.
 */
export const completeFinalization = (order: Order, eventId: string | null, at: Date) =>
  Effect.gen(function* () {
    // Every port of these steps in one read of the context: each step is then one store call.
    const ports = yield* Effect.context<
      Ledger | IdGenerator | ProductCatalog | CouponReservationRepository | CouponRepository | OrderRepository
    >()
    yield* recordPaymentWith(ports, order, at)
    const key = holdKey(order.id, order.holdEpoch)
    const catalog = Context.get(ports, ProductCatalog)
    for (const item of order.items) yield* catalog.commitHold(item.productId, key, at, item.quantity)
    if (order.couponId !== null) {
      // The record first: a crash between the two writes then leaves a unit still held for a paid
      // order (redeemed on the retry), never one both redeemed and promised by a `reserved` record (I3).
      yield* Context.get(ports, CouponReservationRepository).transition(
        order.couponId,
        order.id,
        ["reserved", "expired", "released"],
        "redeemed",
        at,
      )
      yield* Context.get(ports, CouponRepository).redeemHold(order.couponId, key, at)
    }
    return yield* Context.get(ports, OrderRepository).markFinalized(order.id, at, eventId)
  })

/**
 * The runbook's finalization: verify amount and currency, pending → paid, commit stock, redeem the
 * coupon, paid → confirmed with `webhook.processedAt`. Safe to run any number of times, concurrently,
 * and after a crash between any two steps; it never runs a step once processedAt is set. Its log lines
 * carry the orderId (finalizeFrom annotates each step that logs).
 */
export const finalizePayment = (order: Order, payment: VerifiedPayment, eventId: string | null) =>
  Effect.flatMap(Clock, (clock) =>
    Effect.flatMap(clock.now, (at) => finalizeFrom(order, payment, eventId, at)),
  )

const paidPatch = (payment: VerifiedPayment, eventId: string | null, at: Date) => ({
  status: "paid" as const,
  payment: paymentFields(payment, at),
  ...(eventId ? { lastEventId: eventId } : {}),
})

/**
 * The common first delivery in one write: pending → paid for the order the event names, conditional on
 * its session being the event's and its total and currency being the payment's (steps 2 and 3, the
 * verification inside the write), then the rest of the finalization from the order that write answers.
 * None when the write matched nothing (no such pending order, another session, another amount, a retry
 * of a delivery that already paid it): the caller then looks the order up and runs finalizePayment, which
 * tells those cases apart. A delivery that crashes after the write is repaired like any other: the order
 * is `paid`, and finalizePayment completes it.
 */
export const finalizeFreshPayment = (
  orderId: OrderId,
  payment: VerifiedPayment & { readonly sessionId: SessionId },
  eventId: string | null,
) =>
  Effect.gen(function* () {
    const ports = yield* Effect.context<Clock | OrderRepository>()
    const at = yield* Context.get(ports, Clock).now
    const paid = yield* Context.get(ports, OrderRepository).transition(
      orderId,
      ["pending"],
      paidPatch(payment, eventId, at),
      at,
      undefined,
      { sessionId: payment.sessionId, total: payment.amount },
    )
    if (Option.isNone(paid)) return Option.none<FinalizeOutcome>()
    return Option.some(yield* finalizeFrom(paid.value, payment, eventId, at))
  })

/**
 * The finalization loop from `order` as last read. Only the steps that log (the mismatch warning, a
 * revival) are annotated with the orderId: an annotation scope is a dozen fiber steps, and the common
 * delivery logs nothing in here.
 */
const finalizeFrom = (order: Order, payment: VerifiedPayment, eventId: string | null, at: Date) =>
  Effect.gen(function* () {
    const orders = yield* OrderRepository
    let current = order
    // The epoch this delivery claimed itself, or waited out: nobody else is running that revival.
    let passedEpoch: number | null = null
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (current.webhook.processedAt !== null || isFinalized(current.status)) {
        return { _tag: "AlreadyFinalized", order: current } as const
      }
      if (current.status === "payment_review") {
        // A mismatched payment delivered again is still a mismatch: its event must stay an error, never
        // turn processed on a redelivery (the runbook: never retry on amount verification failure).
        return matches(current, payment)
          ? ({ _tag: "InReview", order: current } as const)
          : ({ _tag: "AmountMismatch", order: current } as const)
      }
      const recorded = current.status === "paid" && isRecorded(current, payment)
      if (!recorded && !matches(current, payment)) {
        const reason = `amount_mismatch: expected ${current.totals.total} ${current.totals.currency}, received ${payment.amount.amount} ${payment.amount.currency}`
        const moved = yield* orders.transition(
          current.id,
          sourcesOf("review"),
          { status: "payment_review", reviewReason: reason, payment: paymentFields(payment, at) },
          at,
        )
        if (Option.isSome(moved)) {
          yield* (yield* Metrics).paymentReview("amount_mismatch")
          yield* Effect.logWarning("[stripe.webhook] amount mismatch: order held for review").pipe(
            Effect.annotateLogs({ orderId: current.id, reason }),
          )
          return { _tag: "AmountMismatch", order: moved.value } as const
        }
      } else if (current.status === "paid") {
        const finalized = yield* completeFinalization(current, eventId, at)
        if (Option.isSome(finalized)) return { _tag: "Finalized", order: finalized.value } as const
      } else if (current.status === "pending") {
        // Only from pending: an order expired or cancelled since it was read has released its holds,
        // and must go through reviveOrder, which holds again before it may become paid.
        const paid = yield* orders.transition(current.id, ["pending"], paidPatch(payment, eventId, at), at)
        // The conditional write answers with the order it made paid: reading it again would only
        // repeat that answer (a later writer's moves are conditional too, and met again next round).
        if (Option.isSome(paid)) {
          current = paid.value
          continue
        }
      } else if (revivalUnderWay(current, passedEpoch)) {
        // Another delivery is reviving the order. A new epoch would make its holds dead and supersede
        // it, and it would then supersede this one in turn (a storm of duplicates kept at it for
        // minutes). Wait for it instead, and join its epoch's idempotent steps once it is paid; only a
        // revival that does not move the order within the wait (a crashed one) is taken over.
        const after = yield* awaitRevival(current).pipe(Effect.annotateLogs({ orderId: current.id }))
        if (after.status === current.status && after.holdEpoch === current.holdEpoch) {
          passedEpoch = current.holdEpoch
        }
        current = after
        continue
      } else {
        const revived = yield* reviveOrder(current, paymentFields(payment, at), at).pipe(
          Effect.annotateLogs({ orderId: current.id }),
        )
        if (revived._tag === "InReview") return revived
        if (revived._tag === "Superseded") {
          passedEpoch = revived.claimed ?? passedEpoch
          // A random pause lets the claim that won finish before this delivery reads the order again.
          yield* Effect.sleep(Duration.millis(yield* Random.nextIntBetween(1, 20 * (round + 1))))
        }
      }
      const reread = yield* orders.findById(current.id)
      if (Option.isNone(reread)) return yield* new OrderNotFound({ key: current.id })
      current = reread.value
    }
    return yield* new WriteConflict({ entity: "order", id: order.id })
  })
