import { Context, type Effect, type Option } from "effect"
import type { StoreError } from "../errors.js"
import type { InvoiceModeChange } from "../model/InvoiceModeChange.js"

/**
 * The invoice mode operators chose, kept in the store so that a switch reaches every replica without
 * a redeploy; the deployment's INVOICE_MODE applies until the first switch.
 */
export interface InvoiceModeSetting {
  /** The latest switch, or none when nobody has switched yet. */
  readonly current: Effect.Effect<Option.Option<InvoiceModeChange>, StoreError>
  /** Record a switch; it replaces the previous one. */
  readonly record: (change: InvoiceModeChange) => Effect.Effect<void, StoreError>
}

export const InvoiceModeSetting = Context.GenericTag<InvoiceModeSetting>("@settle/domain/InvoiceModeSetting")
