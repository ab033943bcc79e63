import { Duration, Effect, Option, Random } from "effect"
import {
  CapacityGone,
  IllegalTransition,
  type InvalidInput,
  type OrderNotFound,
  type StoreError,
  WriteConflict,
} from "../errors.js"
import type { Order } from "../model/Order.js"
import { sourcesOf } from "../model/OrderStatus.js"
import type { AuditLog } from "../ports/AuditLog.js"
import { Clock } from "../ports/Clock.js"
import type { CouponRepository } from "../ports/CouponRepository.js"
import type { CouponReservationRepository } from "../ports/CouponReservationRepository.js"
import type { IdGenerator } from "../ports/IdGenerator.js"
import type { Ledger } from "../ports/Ledger.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import type { ProductCatalog } from "../ports/ProductCatalog.js"
import { decodeInput } from "./decodeInput.js"
import { completeFinalization } from "./finalizePayment.js"
import { holdAnew } from "./holdAnew.js"
import { releaseHolds } from "./releaseOrder.js"
import {
  auditOnce,
  loadOrder,
  ReviewResolutionRequest as Request,
  type ReviewResolutionRequest,
  reviewSnapshot,
  reviewStanding,
} from "./reviewResolution.js"

export type AcceptReviewServices =
  | OrderRepository
  | ProductCatalog
  | CouponRepository
  | CouponReservationRepository
  | Ledger
  | AuditLog
  | IdGenerator
  | Clock

export type AcceptReviewError =
  | InvalidInput
  | OrderNotFound
  | IllegalTransition
  | CapacityGone
  | WriteConflict
  | StoreError

/** `AlreadyAccepted`: the order was finalized by an earlier acceptance; nothing was changed. */
export interface AcceptReviewOutcome {
  readonly _tag: "Accepted" | "AlreadyAccepted"
  readonly order: Order
}

/** Rounds lost to other writers (another acceptance, a refund, a revival) before WriteConflict. */
const MAX_ROUNDS = 8

/** Two acceptances can keep superseding each other's epoch; a random pause lets one of them finish. */
const backOff = (round: number) =>
  Effect.flatMap(Random.nextIntBetween(1, 20 * (round + 1)), (ms) => Effect.sleep(Duration.millis(ms)))

const resolved = (
  tag: AcceptReviewOutcome["_tag"],
  request: ReviewResolutionRequest,
  before: Order,
  after: Order,
) =>
  Effect.gen(function* () {
    yield* auditOnce({
      actor: request.actor,
      action: "order.review_accept",
      orderId: after.id,
      reason: request.reason,
      before: reviewSnapshot(before),
      after: reviewSnapshot(after),
    })
    if (tag === "Accepted") {
      yield* Effect.logInfo("[orders.review] payment accepted from review: order confirmed").pipe(
        Effect.annotateLogs({ orderId: after.id, actor: request.actor }),
      )
    }
    return { _tag: tag, order: after } satisfies AcceptReviewOutcome
  })

/**
 * Accept a payment held for review as received: the order is finalized as if it had matched. Its
 * stock and coupon are held again under a new epoch first (the jobs may have released its checkout
 * holds, and may still be releasing them), refusing with CapacityGone when another order took them,
 * since accepting must never oversell; then `payment_review → paid`, and the same idempotent steps as
 * finalization (payment ledger entry of what was received, commit, redeem, `confirmed` with
 * `webhook.processedAt`, invoice scheduled). A repeat, after success or after a crash anywhere,
 * finishes what is left and changes nothing else. Audited as `order.review_accept`.
 */
export const acceptReviewedPayment = (
  input: unknown,
): Effect.Effect<AcceptReviewOutcome, AcceptReviewError, AcceptReviewServices> =>
  Effect.gen(function* () {
    const request = yield* decodeInput(Request)(input)
    const orders = yield* OrderRepository
    const first = yield* loadOrder(request.orderId)
    let order = first
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const at = yield* (yield* Clock).now
      const standing = reviewStanding(order)
      if (standing === "in_review") {
        const held = yield* holdAnew(order, at)
        if (held._tag === "Gone") {
          // What a newer claim holds looked like capacity gone; only a claim still current may say so.
          const now = yield* loadOrder(order.id)
          if (now.status === "payment_review" && now.holdEpoch === held.epoch) {
            return yield* new CapacityGone({ orderId: order.id, resource: held.resource })
          }
        }
        if (held._tag === "Held") {
          const paid = yield* orders.transition(
            order.id,
            sourcesOf("accept_review"),
            { status: "paid" },
            at,
            held.epoch,
          )
          if (Option.isSome(paid)) {
            order = paid.value
            continue
          }
          // A newer claim (another acceptance, or a refund) superseded ours: these holds are nobody's.
          yield* releaseHolds(order, held.epoch, at, "released")
        }
        yield* backOff(round)
      } else if (standing === "accepting") {
        const finalized = yield* completeFinalization(order, null, at)
        if (Option.isSome(finalized)) return yield* resolved("Accepted", request, first, finalized.value)
      } else if (standing === "accepted") {
        const tag =
          first.status === "payment_review" || first.status === "paid" ? "Accepted" : "AlreadyAccepted"
        return yield* resolved(tag, request, first, order)
      } else {
        return yield* new IllegalTransition({ from: order.status, action: "accept_review" })
      }
      order = yield* loadOrder(order.id)
    }
    return yield* new WriteConflict({ entity: "orders", id: request.orderId })
  })
