import { Schema } from "effect"
import { Actor } from "./AuditRecord.js"

/** The invoice provider's modes (`InvoiceMode`) as a Schema, for admin input and stored settings. */
export const InvoiceModeName = Schema.Literal("stripe", "manual", "none").annotations({
  message: () => ({ message: "mode must be one of stripe, manual, none", override: true }),
})

/** An operator's switch of the invoice mode (runbook scenario 2: "switch to manual or none temporarily"). */
export const InvoiceModeChange = Schema.Struct({
  mode: InvoiceModeName,
  actor: Actor,
  reason: Schema.String,
  at: Schema.DateFromSelf,
})
export type InvoiceModeChange = typeof InvoiceModeChange.Type
