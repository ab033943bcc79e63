import { acceptReviewedPayment, type Order, OrderId, refundReviewedPayment } from "@settle/domain"
import { Effect } from "effect"
import * as args from "./arguments.js"
import { type Command, CommandFailure, type Options, UsageError } from "./Command.js"
import type { OpsServices } from "./opsLayer.js"
import { logStep, recoveryReport } from "./recovery.js"
import { recover } from "./rehearsal.js"
import { scopeOfOrder } from "./snapshot.js"
import { storeConfig, withStore } from "./store.js"

const RUNBOOK = [
  'Operational Principles: "Never retry on amount verification failure; treat as potential fraud."',
  'Operational Principles: "Avoid bulk updates; operate on single orders with clear audit trail."',
  "Scenario 9 (Settle): a payment held for review is accepted, or refunded and the order closed, by a human.",
]

const OPTIONS = {
  order: {
    type: "string",
    placeholder: "orderId",
    description: "the order in payment_review (or give it as the first argument)",
  },
  ...args.REASON_OPTION,
  ...args.MUTATION_OPTIONS,
} as const

interface Resolved {
  readonly result: string
  readonly order: Order
  readonly refund?: { readonly id: string; readonly amount: number; readonly gatewayRefundId: string | null }
}

interface Decision {
  readonly command: string
  /** Moves money at Stripe: refused up front without STRIPE_SECRET_KEY, unless rehearsed. */
  readonly refunds: boolean
  readonly resolve: (input: {
    readonly orderId: OrderId
    readonly actor: string
    readonly reason: string
  }) => Effect.Effect<Resolved, unknown, OpsServices>
}

/** One review decision on one order: decoded, rehearsed or applied on the order's scope, reported. */
const decide = async (
  { command, refunds, resolve }: Decision,
  options: Options,
  env: Readonly<Record<string, string | undefined>>,
) => {
  const orderId = args.id(options, "order", OrderId)
  if (orderId === undefined) throw new UsageError(`give the order: ${command} <orderId>`)
  const actor = args.actor(options, env)
  const reason = args.reason(options)
  const dryRun = args.flag(options, "dry-run")
  // Refuse before anything is reserved: without the key a refund could only fail half-way.
  if (refunds && !dryRun && storeConfig({ env }).stripe === null) {
    throw new CommandFailure(
      "PAYMENT_PROVIDER_UNAVAILABLE",
      "STRIPE_SECRET_KEY is not set: review-refund refunds through Stripe; set the key the server uses (--dry-run works without it)",
    )
  }
  const program = Effect.tap(resolve({ orderId, actor, reason }), (resolved) =>
    logStep(command, `${resolved.result}: order ${resolved.order.status}`, { orderId }),
  )
  const outcome = await withStore(
    { env },
    Effect.flatMap(scopeOfOrder(orderId), (scope) => recover(dryRun, scope, program)),
  )
  return recoveryReport(dryRun, outcome, ({ result, order, refund }) => ({
    data: {
      orderId,
      actor,
      reason,
      result,
      status: order.status,
      processedAt: order.webhook.processedAt?.toISOString() ?? null,
      ...(refund === undefined ? {} : { refund }),
    },
    text: [
      `${dryRun ? "Would resolve" : "Resolved"} the review of order ${orderId}: ${result}, status ${order.status}${
        refund === undefined
          ? `, webhook.processedAt ${order.webhook.processedAt?.toISOString() ?? "null"}`
          : `, refund ${refund.id} of ${refund.amount} (gateway ${refund.gatewayRefundId ?? "pending"})`
      }.`,
    ],
  }))
}

export const reviewAccept: Command = {
  name: "review-accept",
  summary: "accept a payment held in payment_review as received and confirm its order (scenario 9)",
  usage: 'review-accept <orderId> --reason "<why>" [--dry-run]',
  runbook: RUNBOOK,
  details: [
    "Finalizes the order as if its payment had matched: a payment ledger entry of what Stripe actually",
    "captured, stock committed and coupon redeemed once (held again first if the jobs released them),",
    "status confirmed with webhook.processedAt set, the invoice scheduled. Refused (exit 1) with",
    "CAPACITY_GONE when the stock or coupon went to other orders (accepting would oversell), and with",
    "ILLEGAL_TRANSITION for an order not in payment_review. A repeat answers already_accepted.",
    "Audited as order.review_accept with the actor and reason.",
  ],
  options: OPTIONS,
  positional: "order",
  examples: [
    'pnpm ops review-accept ord_123 --reason "RISK-7: customer confirmed the amount with their bank" --dry-run',
    'pnpm ops review-accept ord_123 --reason "RISK-7: customer confirmed the amount with their bank"',
  ],
  run: (options, context) =>
    decide(
      {
        command: "review-accept",
        refunds: false,
        resolve: (input) =>
          Effect.map(acceptReviewedPayment(input), (outcome) => ({
            result: outcome._tag === "Accepted" ? "accepted" : "already_accepted",
            order: outcome.order,
          })),
      },
      options,
      context.env,
    ),
}

export const reviewRefund: Command = {
  name: "review-refund",
  summary: "refund what was captured for a payment held in payment_review and close the order (scenario 9)",
  usage: 'review-refund <orderId> --reason "<why>" [--dry-run]',
  runbook: RUNBOOK,
  details: [
    "Refunds the whole captured amount through Stripe (STRIPE_SECRET_KEY must be set) under the",
    "idempotency key refund:<orderId>:0, books the payment and the refund in the ledger, releases every",
    "hold of the order and ends it refunded. A dry run sends nothing to Stripe. Refused (exit 1) with",
    "ILLEGAL_TRANSITION for an order not in payment_review. A repeat, or a run after a failed one,",
    "completes the same refund and never refunds twice. Audited as order.review_refund.",
  ],
  options: OPTIONS,
  positional: "order",
  examples: [
    'pnpm ops review-refund ord_123 --reason "RISK-8: card testing, amount tampered" --dry-run',
    'pnpm ops review-refund ord_123 --reason "RISK-8: card testing, amount tampered" --json',
  ],
  run: (options, context) =>
    decide(
      {
        command: "review-refund",
        refunds: true,
        resolve: (input) =>
          Effect.map(refundReviewedPayment(input), (outcome) => ({
            result: outcome._tag === "Refunded" ? "refunded" : "already_refunded",
            order: outcome.order,
            refund: {
              id: outcome.refund.id,
              amount: outcome.refund.amount,
              gatewayRefundId: outcome.refund.gatewayRefundId,
            },
          })),
      },
      options,
      context.env,
    ),
}
