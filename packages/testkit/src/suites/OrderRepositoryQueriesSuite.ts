import { type Order, OrderRepository } from "@settle/domain"
import { Effect, type Layer } from "effect"
import { describe, expect, it } from "vitest"
import { anInvoice, anOrder, minute } from "../fixtures.js"

const ids = (orders: ReadonlyArray<Order>): ReadonlyArray<string> => orders.map((o) => o.id)

/** The OrderRepository's queries: filters, ordering and limits. */
export const queries = <E>(layer: Layer.Layer<OrderRepository, E>): void => {
  const run = <A, E2>(program: Effect.Effect<A, E2, OrderRepository>) =>
    Effect.runPromise(Effect.provide(program, layer))

  const seeded = (...seed: ReadonlyArray<Order>) =>
    Effect.gen(function* () {
      const orders = yield* OrderRepository
      yield* Effect.forEach(seed, (order) => orders.insert(order), { discard: true })
      return orders
    })

  describe("queries", () => {
    it("findExpiredPending: pending orders that expired strictly before now, oldest expiry first", () => {
      const late = anOrder({ expiresAt: minute(20) })
      const early = anOrder({ expiresAt: minute(10) })
      const atNow = anOrder({ expiresAt: minute(30) })
      const future = anOrder({ expiresAt: minute(40) })
      const paid = anOrder({ status: "paid", expiresAt: minute(5) })
      return run(
        Effect.gen(function* () {
          const orders = yield* seeded(late, early, atNow, future, paid)
          expect(ids(yield* orders.findExpiredPending(minute(30), 10))).toEqual([early.id, late.id])
          expect(ids(yield* orders.findExpiredPending(minute(30), 1))).toEqual([early.id])
        }),
      )
    })

    it("findStale: the given statuses last updated before `before`, oldest first", () => {
      const paidOld = anOrder({ status: "paid", updatedAt: minute(5) })
      const pendingOlder = anOrder({ status: "pending", updatedAt: minute(2) })
      const paidFresh = anOrder({ status: "paid", updatedAt: minute(15) })
      const confirmedOld = anOrder({ status: "confirmed", updatedAt: minute(1) })
      return run(
        Effect.gen(function* () {
          const orders = yield* seeded(paidOld, pendingOlder, paidFresh, confirmedOld)
          const stale = yield* orders.findStale(["pending", "paid"], minute(10), 10)
          expect(ids(stale)).toEqual([pendingOlder.id, paidOld.id])
          expect(ids(yield* orders.findStale(["pending", "paid"], minute(10), 1))).toEqual([pendingOlder.id])
          expect(yield* orders.findStale([], minute(10), 10)).toEqual([])
        }),
      )
    })

    it("findStale sees the updatedAt a write sets", () => {
      const order = anOrder({ status: "paid", updatedAt: minute(1) })
      return run(
        Effect.gen(function* () {
          const orders = yield* seeded(order)
          yield* orders.transition(order.id, ["paid"], { lastEventId: "evt_retry" }, minute(20))
          expect(yield* orders.findStale(["paid"], minute(10), 10)).toEqual([])
        }),
      )
    })

    it("findInvoicesDue: pending, failed or issuing with nextAttemptAt at or before now, oldest first", () => {
      const due = (status: Order["invoice"]["status"], at: Date | null) =>
        anOrder({ status: "confirmed", invoice: anInvoice({ status, nextAttemptAt: at }) })
      const failed = due("failed", minute(3))
      const pending = due("pending", minute(1))
      const issuing = due("issuing", minute(2))
      const exactlyNow = due("pending", minute(10))
      const later = due("failed", minute(11))
      const unscheduledTime = due("pending", null)
      const issued = due("issued", minute(0))
      const manual = due("manual", minute(0))
      return run(
        Effect.gen(function* () {
          const orders = yield* seeded(
            failed,
            pending,
            issuing,
            exactlyNow,
            later,
            unscheduledTime,
            issued,
            manual,
          )
          const found = yield* orders.findInvoicesDue(minute(10), 10)
          expect(ids(found)).toEqual([pending.id, issuing.id, failed.id, exactlyNow.id])
          expect(ids(yield* orders.findInvoicesDue(minute(10), 2))).toEqual([pending.id, issuing.id])
        }),
      )
    })

    it("list: newest first, optionally of one status, up to the limit", () => {
      const first = anOrder({ createdAt: minute(1) })
      const third = anOrder({ createdAt: minute(3), status: "paid" })
      const second = anOrder({ createdAt: minute(2) })
      return run(
        Effect.gen(function* () {
          const orders = yield* seeded(first, third, second)
          expect(ids(yield* orders.list({ limit: 10 }))).toEqual([third.id, second.id, first.id])
          expect(ids(yield* orders.list({ limit: 2 }))).toEqual([third.id, second.id])
          expect(ids(yield* orders.list({ status: "pending", limit: 10 }))).toEqual([second.id, first.id])
          expect(yield* orders.list({ status: "refunded", limit: 10 })).toEqual([])
        }),
      )
    })

    it("health: counts paid-but-unconfirmed orders and failed invoices", () => {
      const stuck = anOrder({ status: "paid" })
      const stuckToo = anOrder({ status: "paid" })
      const stampedPaid = anOrder({ status: "paid", webhook: { processedAt: minute(1), lastEventId: null } })
      const failedInvoice = anOrder({ status: "confirmed", invoice: anInvoice({ status: "failed" }) })
      return run(
        Effect.gen(function* () {
          const empty = yield* (yield* OrderRepository).health()
          expect(empty).toEqual({ paidUnconfirmed: 0, invoiceFailed: 0 })
          const orders = yield* seeded(stuck, stuckToo, stampedPaid, failedInvoice, anOrder())
          expect(yield* orders.health()).toEqual({ paidUnconfirmed: 2, invoiceFailed: 1 })
          yield* orders.markFinalized(stuck.id, minute(2), null)
          expect((yield* orders.health()).paidUnconfirmed).toBe(1)
        }),
      )
    })
  })
}
