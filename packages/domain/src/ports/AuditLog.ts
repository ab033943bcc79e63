import { Context, type Effect } from "effect"
import type { StoreError } from "../errors.js"
import type { AuditRecord } from "../model/AuditRecord.js"
import type { OrderId } from "../model/Ids.js"

export interface AuditLog {
  /** Append a record; records are never changed or removed. */
  readonly append: (record: AuditRecord) => Effect.Effect<void, StoreError>
  /** An order's records, oldest first. */
  readonly listByOrder: (orderId: OrderId) => Effect.Effect<ReadonlyArray<AuditRecord>, StoreError>
  /** The newest records. */
  readonly recent: (limit: number) => Effect.Effect<ReadonlyArray<AuditRecord>, StoreError>
}

export const AuditLog = Context.GenericTag<AuditLog>("@settle/domain/AuditLog")
