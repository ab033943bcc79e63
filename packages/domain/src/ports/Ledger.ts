import { Context, type Effect } from "effect"
import type { StoreError } from "../errors.js"
import type { OrderId } from "../model/Ids.js"
import type { LedgerEntry } from "../model/LedgerEntry.js"

export interface Ledger {
  /** Append an entry; "exists" when (kind, externalId) was already recorded, which makes it idempotent. */
  readonly append: (entry: LedgerEntry) => Effect.Effect<"appended" | "exists", StoreError>
  /** An order's entries, oldest first. */
  readonly listByOrder: (orderId: OrderId) => Effect.Effect<ReadonlyArray<LedgerEntry>, StoreError>
}

export const Ledger = Context.GenericTag<Ledger>("@settle/domain/Ledger")
