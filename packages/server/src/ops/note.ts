import { addInternalNote, OrderId } from "@settle/domain"
import { Effect } from "effect"
import * as args from "./arguments.js"
import { type Command, UsageError } from "./Command.js"
import { logStep, recoveryReport } from "./recovery.js"
import { recover } from "./rehearsal.js"
import { scopeOfOrder } from "./snapshot.js"
import { withStore } from "./store.js"

export const note: Command = {
  name: "note",
  summary: "record an internal note on one order, e.g. after a manual step",
  usage: 'note --order <orderId> --text "<note>" [--dry-run]',
  runbook: [
    'Operational Principles: "Manual edits must preserve idempotency keys and be recorded in internal notes."',
    'Operational Principles: "Avoid bulk updates; operate on single orders with clear audit trail."',
  ],
  details: ["Appends an order.note audit record (the note is its reason); the order itself is not changed."],
  options: {
    order: { type: "string", placeholder: "orderId", description: "the order the note is about (required)" },
    text: { type: "string", placeholder: "note", description: "the note, up to 2000 characters (required)" },
    ...args.MUTATION_OPTIONS,
  },
  examples: ['pnpm ops note --order ord_123 --text "INC-42: refunded by hand in the Stripe dashboard"'],
  run: async (options, context) => {
    const orderId = args.id(options, "order", OrderId)
    if (orderId === undefined) throw new UsageError("--order is required: the order the note is about")
    const text = args.required(options, "text", "the note to record")
    const actor = args.actor(options, context.env)
    const dryRun = args.flag(options, "dry-run")
    const program = Effect.tap(addInternalNote({ orderId, actor, note: text }), () =>
      logStep("note", "internal note recorded", { orderId }),
    )
    const outcome = await withStore(
      context,
      Effect.flatMap(scopeOfOrder(orderId), (scope) => recover(dryRun, scope, program)),
    )
    return recoveryReport(dryRun, outcome, (record) => ({
      data: { orderId, actor, note: record.reason, auditId: record.id },
      text: [`${dryRun ? "Would record" : "Recorded"} an internal note on order ${orderId}.`],
    }))
  },
}
