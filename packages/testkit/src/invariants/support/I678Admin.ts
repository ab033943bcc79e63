import {
  acceptReviewedPayment,
  addInternalNote,
  type Order,
  type OrderId,
  type PaymentEvent,
  refundOrder,
  refundReviewedPayment,
  replayFinalization,
  retryInvoice,
  unfinishedRefund,
} from "@settle/domain"
import type { Effect } from "effect"
import * as fc from "fast-check"
import type { WorldServices } from "./I678Harness.js"
import { INVOICE_OPTIONS } from "./I678Invoices.js"

/** An existing order of the admin world, one that does not exist, or an id no store may see. */
export type Target = number | "unknown" | "malformed"

export type AdminOp =
  | {
      readonly _tag: "Refund"
      readonly target: Target
      readonly actor: string
      /** Percent of the capture (above 100 is too much), null for "all left", or a bad amount. */
      readonly amount: number | null | "zero" | "fraction"
      readonly reason: string | null
      readonly requestId: string | null
    }
  | { readonly _tag: "Note"; readonly target: Target; readonly actor: string; readonly note: string }
  | {
      readonly _tag: "ReplaySession"
      readonly target: Target
      readonly actor: string
      readonly reason: string
    }
  | {
      readonly _tag: "ReplayEvent"
      readonly event: "processed" | "errored" | "unknown" | "ambiguous"
      readonly actor: string
      readonly reason: string
    }
  | {
      readonly _tag: "RetryInvoice"
      readonly target: Target
      readonly actor: string
      readonly reason: string
    }
  /** A human's decision on a payment held for review: accept it, or refund it and close the order. */
  | {
      readonly _tag: "ReviewAccept" | "ReviewRefund"
      readonly target: Target
      readonly actor: string
      readonly reason: string
    }

/** One admin action, with the payment provider down or not while it runs. */
export interface AdminStep {
  readonly op: AdminOp
  readonly outage: boolean
}

/**
 * The admin world: two confirmed orders, then a pending, a paid-at-Stripe and a crashed-paid one, and
 * two payments held for review.
 */
export const ADMIN_KINDS = [
  "confirmed",
  "confirmed",
  "pending",
  "paidAtStripe",
  "paidCrashed",
  "review",
  "review",
] as const

const target: fc.Arbitrary<Target> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: ADMIN_KINDS.length - 1 }) },
  { weight: 1, arbitrary: fc.constantFrom<Target>("unknown", "malformed") },
)
// Refunds mostly go to the confirmed orders (0 and 1), the only refundable ones.
const refundTarget: fc.Arbitrary<Target> = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 1 }) },
  { weight: 1, arbitrary: target },
)
// Review decisions mostly go to the orders held for review (5 and 6), the only ones they may resolve.
const reviewTarget: fc.Arbitrary<Target> = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 5, max: 6 }) },
  { weight: 1, arbitrary: target },
)
// "42" is bad input: all digits would collide with the numbered refunds.
const requestId = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("req-a", "req-b") },
  { weight: 1, arbitrary: fc.constant("42") },
)
// Mostly good input (padded values are trimmed); empty, blank and overlong values are bad input.
const actor = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("alice@shop", " bob@shop ") },
  { weight: 1, arbitrary: fc.constantFrom("", "   ") },
)
const text = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom("damaged in transit", "  customer called  ", "per runbook step 2"),
  },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "x".repeat(2_001)) },
)

type AmountDraw = Extract<AdminOp, { _tag: "Refund" }>["amount"]
const someAmount: fc.Arbitrary<AmountDraw> = fc.option(fc.integer({ min: 1, max: 150 }), { freq: 4 })
const badAmount: fc.Arbitrary<AmountDraw> = fc.constantFrom<AmountDraw>("zero", "fraction")
const refundAmount = fc.oneof({ weight: 6, arbitrary: someAmount }, { weight: 1, arbitrary: badAmount })

const op: fc.Arbitrary<AdminOp> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      _tag: fc.constant("Refund" as const),
      target: refundTarget,
      actor,
      amount: refundAmount,
      reason: fc.option(text, { freq: 3 }),
      requestId: fc.option(requestId, { freq: 2 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ _tag: fc.constant("Note" as const), target, actor, note: text }) },
  {
    weight: 2,
    arbitrary: fc.record({ _tag: fc.constant("ReplaySession" as const), target, actor, reason: text }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      _tag: fc.constant("ReplayEvent" as const),
      event: fc.constantFrom(
        "processed" as const,
        "errored" as const,
        "unknown" as const,
        "ambiguous" as const,
      ),
      actor,
      reason: text,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ _tag: fc.constant("RetryInvoice" as const), target, actor, reason: text }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      _tag: fc.constantFrom("ReviewAccept" as const, "ReviewRefund" as const),
      target: reviewTarget,
      actor,
      reason: text,
    }),
  },
)

export const adminStep: fc.Arbitrary<AdminStep> = fc.record({ op, outage: fc.boolean() })

export const adminSteps: fc.Arbitrary<ReadonlyArray<AdminStep>> = fc.array(adminStep, {
  minLength: 1,
  maxLength: 10,
})

export interface AdminWorld {
  readonly orders: ReadonlyArray<Order>
  /** Indexed like ADMIN_KINDS: the payment event each order's session produced. */
  readonly events: ReadonlyArray<PaymentEvent | null>
}

const orderOf = (world: AdminWorld, t: Target): Order | undefined =>
  typeof t === "number" ? world.orders[t] : undefined

const idOf = (world: AdminWorld, t: Target): string =>
  t === "unknown" ? "ord_nobody" : t === "malformed" ? "$where" : world.orders[t]!.id

const amountOf = (order: Order | undefined, amount: AmountDraw) => {
  if (amount === null) return {}
  if (amount === "zero") return { amount: 0 }
  if (amount === "fraction") return { amount: 10.5 }
  return { amount: Math.max(1, Math.ceil(((order?.totals.total ?? 100) * amount) / 100)) }
}

const eventIdOf = (world: AdminWorld, event: "processed" | "errored" | "unknown" | "ambiguous"): string => {
  const index = event === "processed" ? 0 : event === "errored" ? 4 : -1
  return world.events[index]?.eventId ?? "evt_nobody"
}

/** The use-case call an admin client would make for `op`: raw, undecoded input. */
export const adminProgram = (
  world: AdminWorld,
  op: AdminOp,
): Effect.Effect<unknown, { readonly _tag: string }, WorldServices> => {
  switch (op._tag) {
    case "Refund":
      return refundOrder({
        orderId: idOf(world, op.target),
        actor: op.actor,
        ...amountOf(orderOf(world, op.target), op.amount),
        ...(op.reason === null ? {} : { reason: op.reason }),
        ...(op.requestId === null ? {} : { requestId: op.requestId }),
      })
    case "Note":
      return addInternalNote({ orderId: idOf(world, op.target), actor: op.actor, note: op.note })
    case "ReplaySession": {
      const sessionId = orderOf(world, op.target)?.payment.sessionId ?? idOf(world, op.target)
      return replayFinalization({ sessionId, actor: op.actor, reason: op.reason })
    }
    case "ReplayEvent": {
      const stripeEventId = eventIdOf(world, op.event)
      // Both keys at once is ambiguous, hence bad input.
      const ambiguous = op.event === "ambiguous" ? { sessionId: world.orders[0]!.payment.sessionId } : {}
      return replayFinalization({ stripeEventId, actor: op.actor, reason: op.reason, ...ambiguous })
    }
    case "RetryInvoice":
      return retryInvoice(idOf(world, op.target), op.actor, op.reason, INVOICE_OPTIONS)
    case "ReviewAccept":
      return acceptReviewedPayment({ orderId: idOf(world, op.target), actor: op.actor, reason: op.reason })
    case "ReviewRefund":
      return refundReviewedPayment({ orderId: idOf(world, op.target), actor: op.actor, reason: op.reason })
  }
}

export const ACTION_OF: Record<AdminOp["_tag"], string> = {
  Refund: "order.refund",
  Note: "order.note",
  ReplaySession: "payment.replay",
  ReplayEvent: "payment.replay",
  RetryInvoice: "order.invoice_retry",
  ReviewAccept: "order.review_accept",
  ReviewRefund: "order.review_refund",
}

/** The order an op is about, when it names one of ours. */
export const targetOf = (world: AdminWorld, op: AdminOp): OrderId | null => {
  if (op._tag !== "ReplayEvent") return orderOf(world, op.target)?.id ?? null
  return op.event === "processed" ? world.orders[0]!.id : op.event === "errored" ? world.orders[4]!.id : null
}

/** The reason the audit record must carry: the note or reason as decoded; a resumed refund keeps its own. */
export const reasonOf = (op: AdminOp, target: Order | undefined): string | null => {
  if (op._tag === "Note") return op.note.trim()
  if (op._tag !== "Refund") return op.reason.trim()
  const resumed =
    target === undefined
      ? undefined
      : op.requestId === null
        ? unfinishedRefund(target, amountOf(target, op.amount).amount)
        : target.refunds.find((r) => r.id === `refund:${target.id}:${op.requestId}`)
  if (resumed !== undefined) return resumed.reason
  return op.reason === null || op.reason.trim() === "" ? null : op.reason.trim()
}
