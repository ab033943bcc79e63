import { Effect } from "effect"
import type { StoreError } from "../errors.js"
import type { AuditRecord } from "../model/AuditRecord.js"
import type { OrderId } from "../model/Ids.js"
import { AuditLog } from "../ports/AuditLog.js"
import { Clock } from "../ports/Clock.js"
import { IdGenerator } from "../ports/IdGenerator.js"

/** What an admin mutation reports about itself; id and time are filled in here. */
export interface AuditEntry {
  readonly actor: string
  readonly action: string
  readonly orderId: OrderId | null
  readonly reason: string | null
  readonly before: unknown
  readonly after: unknown
}

/** I8: every admin mutation leaves one of these. */
export const recordAudit = (
  entry: AuditEntry,
): Effect.Effect<AuditRecord, StoreError, AuditLog | IdGenerator | Clock> =>
  Effect.gen(function* () {
    const record: AuditRecord = {
      id: yield* (yield* IdGenerator).next("aud"),
      actor: entry.actor,
      action: entry.action,
      orderId: entry.orderId,
      reason: entry.reason,
      before: entry.before ?? null,
      after: entry.after ?? null,
      at: yield* (yield* Clock).now,
    }
    yield* (yield* AuditLog).append(record)
    return record
  })
