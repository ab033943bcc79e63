import { Ledger, OrderId } from "@settle/domain"
import { Effect, type Layer } from "effect"
import { describe, expect, it } from "vitest"
import { aLedgerEntry, minute } from "../fixtures.js"

/** The Ledger contract; every adapter (memory, Mongo) must pass it unchanged. */
export const suite = <E>(name: string, layer: Layer.Layer<Ledger, E>): void => {
  const run = <A, E2>(program: Effect.Effect<A, E2, Ledger>) =>
    Effect.runPromise(Effect.provide(program, layer))
  const orderId = OrderId.make("ord_ledger")

  describe(name, () => {
    it("appends an entry and lists it with its order", () =>
      run(
        Effect.gen(function* () {
          const ledger = yield* Ledger
          const entry = aLedgerEntry({ orderId })
          expect(yield* ledger.append(entry)).toBe("appended")
          expect(yield* ledger.listByOrder(orderId)).toEqual([entry])
          expect(yield* ledger.listByOrder(OrderId.make("ord_none"))).toEqual([])
        }),
      ))

    it("answers exists for a second entry of the same kind and external id, and keeps the first", () =>
      run(
        Effect.gen(function* () {
          const ledger = yield* Ledger
          const first = aLedgerEntry({ orderId, externalId: "pi_1" })
          yield* ledger.append(first)
          const again = aLedgerEntry({ orderId, externalId: "pi_1", createdAt: minute(5) })
          expect(yield* ledger.append(again)).toBe("exists")
          expect(yield* ledger.listByOrder(orderId)).toEqual([first])
        }),
      ))

    it("treats the same external id under another kind as a new entry", () =>
      run(
        Effect.gen(function* () {
          const ledger = yield* Ledger
          yield* ledger.append(aLedgerEntry({ orderId, kind: "payment", externalId: "shared_1" }))
          const refund = aLedgerEntry({
            orderId,
            kind: "refund",
            externalId: "shared_1",
            createdAt: minute(1),
          })
          expect(yield* ledger.append(refund)).toBe("appended")
          expect((yield* ledger.listByOrder(orderId)).map((e) => e.kind)).toEqual(["payment", "refund"])
        }),
      ))

    it("lists an order's entries oldest first, and only that order's", () =>
      run(
        Effect.gen(function* () {
          const ledger = yield* Ledger
          const refund = aLedgerEntry({ orderId, kind: "refund", createdAt: minute(9) })
          const payment = aLedgerEntry({ orderId, kind: "payment", createdAt: minute(1) })
          const secondRefund = aLedgerEntry({ orderId, kind: "refund", createdAt: minute(12) })
          yield* Effect.forEach([refund, aLedgerEntry(), secondRefund, payment], (e) => ledger.append(e))
          expect((yield* ledger.listByOrder(orderId)).map((e) => e.id)).toEqual([
            payment.id,
            refund.id,
            secondRefund.id,
          ])
        }),
      ))

    it("returns copies, never shared objects", () =>
      run(
        Effect.gen(function* () {
          const ledger = yield* Ledger
          const entry = aLedgerEntry({ orderId })
          const original = structuredClone(entry)
          yield* ledger.append(entry)
          Object.assign(entry.amount, { amount: 1 })
          const [read] = yield* ledger.listByOrder(orderId)
          if (read !== undefined) {
            Object.assign(read.amount, { amount: 2 })
            read.createdAt.setTime(0)
          }
          expect(yield* ledger.listByOrder(orderId)).toEqual([original])
        }),
      ))

    it("appends one entry for many concurrent appends of the same payment", () =>
      run(
        Effect.gen(function* () {
          const ledger = yield* Ledger
          const outcomes = yield* Effect.all(
            Array.from({ length: 50 }, () => ledger.append(aLedgerEntry({ orderId, externalId: "pi_race" }))),
            { concurrency: "unbounded" },
          )
          expect(outcomes.filter((o) => o === "appended")).toHaveLength(1)
          expect(outcomes.filter((o) => o === "exists")).toHaveLength(49)
          expect(yield* ledger.listByOrder(orderId)).toHaveLength(1)
        }),
      ))
  })
}
