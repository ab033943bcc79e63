import {
  AuditLog,
  type AuditRecord,
  type Order,
  type OrderId,
  reviewRefundId,
  reviewStanding,
} from "@settle/domain"
import { Effect, Either } from "effect"
import { expect } from "vitest"
import { ACTION_OF, type AdminOp, type AdminWorld, reasonOf, targetOf } from "./I678Admin.js"
import { loadOrders } from "./I678Harness.js"

export interface AdminSnapshot {
  readonly orders: ReadonlyMap<string, Order>
  readonly audit: ReadonlyArray<AuditRecord>
}

export const adminSnapshot = (ids: ReadonlyArray<OrderId>) =>
  Effect.gen(function* () {
    const orders = yield* loadOrders(ids)
    const audit = yield* (yield* AuditLog).recent(10_000)
    return {
      orders: new Map(orders.map((order) => [order.id as string, order])),
      audit,
    } satisfies AdminSnapshot
  })

const unchangedExcept = (
  before: AdminSnapshot,
  after: AdminSnapshot,
  except: OrderId | null,
  why: string,
) => {
  for (const [id, order] of before.orders) {
    if (id !== except) expect(after.orders.get(id), `${why}: ${id} is untouched`).toStrictEqual(order)
  }
}

/**
 * A request that finds its work done: a refund repeated with the requestId of one already at Stripe,
 * an acceptance of an order already accepted, a review refund already at Stripe. Nothing to do.
 */
const repeatsDone = (op: AdminOp, target: Order | undefined): boolean => {
  const refunded = (id: string) =>
    (target?.refunds ?? []).some((r) => r.id === id && r.gatewayRefundId !== null)
  if (target === undefined) return false
  if (op._tag === "Refund") return op.requestId !== null && refunded(`refund:${target.id}:${op.requestId}`)
  if (op._tag === "ReviewAccept") return reviewStanding(target) === "accepted"
  return op._tag === "ReviewRefund" && refunded(reviewRefundId(target.id))
}

/** The record a gateway failure leaves, for the actions whose amount stays reserved through it. */
const FAILED_AT_GATEWAY: Partial<Record<AdminOp["_tag"], string>> = {
  Refund: "order.refund_failed",
  ReviewRefund: "order.review_refund_failed",
}

/**
 * I8 for one admin action: a success appended exactly one audit record naming the actor, the action,
 * the order and the reason (a repeat of a finished refund or review decision changes nothing and needs
 * none); a refund the provider failed records `order.refund_failed` (`order.review_refund_failed` for a
 * payment refunded from review), since the amount stays reserved; any other
 * failure (bad input, AlreadyFinalized, RefundExceedsCaptured, …) left no record and no order changed.
 */
export const checkAdminStep = (
  world: AdminWorld,
  op: AdminOp,
  before: AdminSnapshot,
  after: AdminSnapshot,
  result: Either.Either<unknown, { readonly _tag: string }>,
  now: Date,
): void => {
  const known = new Set(before.audit.map((record) => record.id))
  const fresh = after.audit.filter((record) => !known.has(record.id))
  expect(after.audit.length - before.audit.length, "the audit log only grows").toBe(fresh.length)
  const orderId = targetOf(world, op)
  const target = orderId === null ? undefined : before.orders.get(orderId)
  const expected = (action: string) => ({
    actor: op.actor.trim(),
    action,
    orderId,
    reason: reasonOf(op, target),
    at: now,
  })
  const failedAtGateway = FAILED_AT_GATEWAY[op._tag]
  if (Either.isRight(result) && repeatsDone(op, target)) {
    expect(fresh, `a repeated finished ${op._tag}`).toEqual([])
    unchangedExcept(before, after, null, `a repeated finished ${op._tag}`)
  } else if (Either.isRight(result)) {
    expect(fresh, `${op._tag} succeeded`).toHaveLength(1)
    expect(fresh[0]).toMatchObject(expected(ACTION_OF[op._tag]))
    // A note is a record, not an edit: it changes no order at all.
    unchangedExcept(before, after, op._tag === "Note" ? null : orderId, `${op._tag} succeeded`)
  } else if (failedAtGateway !== undefined && result.left._tag === "PaymentGatewayError") {
    expect(fresh, `a ${op._tag} the provider failed`).toHaveLength(1)
    expect(fresh[0]).toMatchObject(expected(failedAtGateway))
    unchangedExcept(before, after, orderId, `a ${op._tag} the provider failed`)
  } else {
    const why = `${op._tag} failed with ${result.left._tag}`
    expect(fresh, why).toEqual([])
    unchangedExcept(before, after, null, why)
  }
}
