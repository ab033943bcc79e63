import {
  isFinalized,
  Ledger,
  type Order,
  OrderRepository,
  type OrderStatus,
  replayFinalization,
  SessionId,
  StripeEventId,
  WebhookEventInbox,
} from "@settle/domain"
import { Effect, Option } from "effect"
import * as args from "./arguments.js"
import { type Command, CommandFailure, type Options, UsageError } from "./Command.js"
import { logStep, recoveryReport } from "./recovery.js"
import { recover } from "./rehearsal.js"
import { orderScope, type Scope, scope, union } from "./snapshot.js"
import { withStore } from "./store.js"
import { isAmountMismatch } from "./views.js"

type Target = { readonly sessionId: SessionId } | { readonly stripeEventId: StripeEventId }

const targetOf = (options: Options): Target => {
  const session = args.id(options, "session", SessionId)
  const event = args.id(options, "event", StripeEventId)
  if (session !== undefined && event === undefined) return { sessionId: session }
  if (event !== undefined && session === undefined) return { stripeEventId: event }
  throw new UsageError("give exactly one of --session <sessionId> or --event <stripeEventId>")
}

/** The runbook forbids it: an amount or currency mismatch is potential fraud, decided by a human. */
const inReview = (what: string, details: Readonly<Record<string, unknown>>) =>
  new CommandFailure(
    "PAYMENT_REVIEW",
    `refused: ${what}; the runbook says "Never retry on amount verification failure; treat as potential fraud." A human decides (refund it, or confirm with the customer and Stripe).`,
    details,
  )

/**
 * The order the replay will touch and everything its finalization moves, the event too when replaying
 * one; refused up front for an order held for review.
 */
const scopeOf = (target: Target) =>
  Effect.gen(function* () {
    const orders = yield* OrderRepository
    const guarded = (order: Option.Option<Order>, also: Scope) =>
      Option.match(order, {
        onNone: () => Effect.succeed(also),
        onSome: (found) =>
          found.status === "payment_review"
            ? Effect.fail(
                inReview(`order ${found.id} is in payment_review after an amount or currency mismatch`, {
                  orderId: found.id,
                }),
              )
            : Effect.succeed(union([also, orderScope(found)])),
      })
    if ("sessionId" in target)
      return yield* guarded(yield* orders.findBySessionId(target.sessionId), scope({}))
    const record = yield* (yield* WebhookEventInbox).find(target.stripeEventId)
    const events = scope({ events: [target.stripeEventId] })
    if (Option.isSome(record) && isAmountMismatch(record.value)) {
      const what = `event ${target.stripeEventId} was recorded as an amount_mismatch`
      return yield* Effect.fail(inReview(what, { stripeEventId: target.stripeEventId }))
    }
    if (Option.isNone(record) || record.value.payload._tag !== "PaymentSucceeded") return events
    return yield* guarded(yield* orders.findBySessionId(record.value.payload.sessionId), events)
  })

/** What runbook scenario 1's verification says about the outcome, when it is not the happy one. */
const advice = (status: OrderStatus, payments: number): ReadonlyArray<string> => {
  if (status === "payment_review") {
    return [
      "The order waits for a human in payment_review (amount or currency mismatch: potential fraud).",
      'The runbook: "Never retry on amount verification failure; treat as potential fraud."',
    ]
  }
  if (!isFinalized(status)) {
    return [
      `The order is not finalized: Stripe's session shows no payment to finalize yet (status ${status}).`,
    ]
  }
  return payments > 1 ? [`${payments} payment ledger entries: check the order for a duplicate payment.`] : []
}

export const replay: Command = {
  name: "replay",
  summary: "re-run finalization of one stuck order by its session or Stripe event (runbook scenario 1)",
  usage: 'replay (--session <sessionId> | --event <stripeEventId>) --reason "<why>" [--dry-run]',
  runbook: [
    'Scenario 1, Recovery: "2) If replay not possible, re-trigger webhook handler using the exact sessionId."',
    'Scenario 1, Recovery: "3) Verify order has webhook.processedAt set and status moved to confirmed."',
    'Operational Principles: "Retries are safe only when webhook.processedAt is null."',
  ],
  details: [
    "By session, Stripe is asked for the session's current state (STRIPE_SECRET_KEY must be set) and a",
    "paid session finalizes the order; by event, the recorded payload goes through the same handler a",
    "Stripe redelivery takes. Refused (exit 1) once webhook.processedAt is set (ALREADY_FINALIZED), and",
    "for an order held in payment_review or an event recorded as amount_mismatch (PAYMENT_REVIEW).",
    "One order per run, audited as payment.replay with the actor and reason.",
  ],
  options: {
    session: {
      type: "string",
      placeholder: "sessionId",
      description: "the Checkout Session id (cs_…) of the order",
    },
    event: {
      type: "string",
      placeholder: "stripeEventId",
      description: "a recorded Stripe event id (evt_…)",
    },
    ...args.REASON_OPTION,
    ...args.MUTATION_OPTIONS,
  },
  examples: [
    'pnpm ops replay --session cs_test_a1b2 --reason "INC-42: paid order stuck after deploy" --dry-run',
    'pnpm ops replay --event evt_1Q2w3e --reason "INC-42: webhook failed during DB failover"',
  ],
  run: async (options, context) => {
    const target = targetOf(options)
    const actor = args.actor(options, context.env)
    const reason = args.reason(options)
    const dryRun = args.flag(options, "dry-run")
    const program = Effect.gen(function* () {
      const replayed = yield* replayFinalization({ ...target, actor, reason })
      const payments = (yield* (yield* Ledger).listByOrder(replayed.orderId)).filter(
        (e) => e.kind === "payment",
      )
      const order = yield* (yield* OrderRepository).findById(replayed.orderId)
      const processedAt = Option.getOrNull(Option.flatMapNullable(order, (o) => o.webhook.processedAt))
      yield* logStep("replay", `replayed finalization: ${replayed.result}, order ${replayed.status}`, {
        orderId: replayed.orderId,
        ...("stripeEventId" in target
          ? { stripeEventId: target.stripeEventId }
          : { sessionId: target.sessionId }),
      })
      return { ...replayed, processedAt, paymentLedgerEntries: payments.length }
    })
    const outcome = await withStore(
      context,
      Effect.flatMap(scopeOf(target), (of) => recover(dryRun, of, program)),
    )
    return recoveryReport(dryRun, outcome, (result) => ({
      data: {
        ...target,
        actor,
        reason,
        orderId: result.orderId,
        result: result.result,
        status: result.status,
        processedAt: result.processedAt?.toISOString() ?? null,
        paymentLedgerEntries: result.paymentLedgerEntries,
      },
      text: [
        `${dryRun ? "Would replay" : "Replayed"} finalization of order ${result.orderId}: ${result.result}; status ${result.status}, webhook.processedAt ${result.processedAt?.toISOString() ?? "null"}, ${result.paymentLedgerEntries} payment ledger entr${result.paymentLedgerEntries === 1 ? "y" : "ies"}.`,
        ...advice(result.status, result.paymentLedgerEntries),
      ],
    }))
  },
}
