import { Effect, Option, Schema } from "effect"
import { type InvalidInput, OrderNotFound, type StoreError } from "../errors.js"
import { Actor, type AuditRecord } from "../model/AuditRecord.js"
import { OrderId } from "../model/Ids.js"
import type { AuditLog } from "../ports/AuditLog.js"
import type { Clock } from "../ports/Clock.js"
import type { IdGenerator } from "../ports/IdGenerator.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import { recordAudit } from "./audit.js"
import { decodeInput } from "./decodeInput.js"

export const InternalNoteRequest = Schema.Struct({
  orderId: OrderId,
  actor: Actor,
  note: Schema.Trim.pipe(
    Schema.minLength(1, { message: () => "note must not be empty" }),
    Schema.maxLength(2000, { message: () => "note must be at most 2000 characters" }),
  ),
})

/** The runbook asks every manual edit to be recorded in an internal note; notes live in the audit log. */
export const addInternalNote = (
  input: unknown,
): Effect.Effect<
  AuditRecord,
  InvalidInput | OrderNotFound | StoreError,
  OrderRepository | AuditLog | IdGenerator | Clock
> =>
  Effect.gen(function* () {
    const request = yield* decodeInput(InternalNoteRequest)(input)
    const order = yield* (yield* OrderRepository).findById(request.orderId)
    if (Option.isNone(order)) return yield* new OrderNotFound({ key: request.orderId })
    return yield* recordAudit({
      actor: request.actor,
      action: "order.note",
      orderId: request.orderId,
      reason: request.note,
      before: null,
      after: null,
    })
  })
