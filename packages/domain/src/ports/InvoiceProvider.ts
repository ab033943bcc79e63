import { Context, type Effect } from "effect"
import type { InvoiceProviderError } from "../errors.js"
import type { Order } from "../model/Order.js"

export type InvoiceMode = "stripe" | "manual" | "none"

export type InvoiceOutcome =
  | { readonly _tag: "Issued"; readonly number: string; readonly url: string | null }
  | { readonly _tag: "Manual" }
  | { readonly _tag: "None" }

export interface InvoiceProvider {
  /** The mode in force now; operators switch it at runtime during a provider outage. */
  readonly mode: Effect.Effect<InvoiceMode>
  /** Issue the invoice of a confirmed order; `idempotencyKey` (`invoice:<orderId>`) makes a retry issue none twice. */
  readonly issue: (
    order: Order,
    idempotencyKey: string,
  ) => Effect.Effect<InvoiceOutcome, InvoiceProviderError>
}

export const InvoiceProvider = Context.GenericTag<InvoiceProvider>("@settle/domain/InvoiceProvider")
