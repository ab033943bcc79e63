import { AuditLog, type AuditRecord, OrderId } from "@settle/domain"
import { Effect, type Layer } from "effect"
import { describe, expect, it } from "vitest"
import { anAuditRecord, minute } from "../fixtures.js"

const ids = (records: ReadonlyArray<AuditRecord>): ReadonlyArray<string> => records.map((r) => r.id)

/** The AuditLog contract; every adapter (memory, Mongo) must pass it unchanged. */
export const suite = <E>(name: string, layer: Layer.Layer<AuditLog, E>): void => {
  const run = <A, E2>(program: Effect.Effect<A, E2, AuditLog>) =>
    Effect.runPromise(Effect.provide(program, layer))
  const orderId = OrderId.make("ord_audited")

  describe(name, () => {
    it("lists an order's records oldest first, and only that order's", () =>
      run(
        Effect.gen(function* () {
          const log = yield* AuditLog
          const note = anAuditRecord({ orderId, action: "order.note", at: minute(5) })
          const refund = anAuditRecord({ orderId, action: "order.refund", at: minute(2) })
          const other = anAuditRecord({ orderId: OrderId.make("ord_other"), at: minute(1) })
          yield* Effect.forEach([note, other, refund, anAuditRecord({ at: minute(3) })], (r) => log.append(r))
          expect(yield* log.listByOrder(orderId)).toEqual([refund, note])
          expect(yield* log.listByOrder(OrderId.make("ord_none"))).toEqual([])
        }),
      ))

    it("recent returns the newest records first, up to the limit", () =>
      run(
        Effect.gen(function* () {
          const log = yield* AuditLog
          const records = [3, 1, 4, 2].map((m) => anAuditRecord({ at: minute(m) }))
          yield* Effect.forEach(records, (r) => log.append(r))
          const byTime = [...records].sort((a, b) => b.at.getTime() - a.at.getTime())
          expect(ids(yield* log.recent(10))).toEqual(ids(byTime))
          expect(ids(yield* log.recent(2))).toEqual(ids(byTime.slice(0, 2)))
        }),
      ))

    it("keeps before/after snapshots intact and returns copies", () =>
      run(
        Effect.gen(function* () {
          const log = yield* AuditLog
          const record = anAuditRecord({
            orderId,
            before: { status: "paid", tags: ["a"] },
            after: { status: "confirmed", at: minute(4) },
          })
          const original = structuredClone(record)
          yield* log.append(record)
          Object.assign(record, { reason: "changed" })
          const [read] = yield* log.recent(1)
          if (read !== undefined) {
            Object.assign(read, { action: "mutated" })
            read.at.setTime(0)
          }
          expect(yield* log.listByOrder(orderId)).toEqual([original])
        }),
      ))

    it("keeps every record under concurrent appends", () =>
      run(
        Effect.gen(function* () {
          const log = yield* AuditLog
          const records = Array.from({ length: 50 }, (_, i) => anAuditRecord({ orderId, at: minute(i) }))
          yield* Effect.all(
            records.map((r) => log.append(r)),
            { concurrency: "unbounded" },
          )
          expect(ids(yield* log.listByOrder(orderId))).toEqual(ids(records))
        }),
      ))
  })
}
