import { type Order, type OrderListQuery, OrderRepository, PaymentIntentId, SessionId } from "@settle/domain"
import { Effect, type Layer } from "effect"
import { describe, expect, it } from "vitest"
import { anInvoice, anOrder, aPayment, minute } from "../fixtures.js"

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

    it("list: every filter given must hold, each against its own field", () => {
      const pi = PaymentIntentId.make("pi_listed")
      const session = SessionId.make("cs_listed")
      const early = anOrder({
        createdAt: minute(1),
        customerEmail: "ada@example.com",
        payment: aPayment({ sessionId: session }),
      })
      const paid = anOrder({
        createdAt: minute(2),
        status: "paid",
        payment: aPayment({ paymentIntentId: pi, amountReceived: 3000 }),
      })
      const failed = anOrder({
        createdAt: minute(3),
        status: "confirmed",
        customerEmail: "ada@example.com",
        invoice: anInvoice({ status: "failed" }),
      })
      const late = anOrder({ createdAt: minute(4) })
      const listed = (orders: OrderRepository, query: Omit<OrderListQuery, "limit">) =>
        Effect.map(orders.list({ ...query, limit: 10 }), ids)
      return run(
        Effect.gen(function* () {
          const orders = yield* seeded(early, paid, failed, late)
          expect(yield* listed(orders, { sessionId: session })).toEqual([early.id])
          expect(yield* listed(orders, { paymentIntentId: pi })).toEqual([paid.id])
          expect(yield* listed(orders, { customerEmail: "ada@example.com" })).toEqual([failed.id, early.id])
          expect(yield* listed(orders, { customerEmail: "ADA@example.com" })).toEqual([])
          expect(yield* listed(orders, { invoiceStatus: "failed" })).toEqual([failed.id])
          // createdFrom is inclusive, createdBefore exclusive.
          expect(yield* listed(orders, { createdFrom: minute(2), createdBefore: minute(4) })).toEqual([
            failed.id,
            paid.id,
          ])
          expect(yield* listed(orders, { customerEmail: "ada@example.com", createdFrom: minute(2) })).toEqual(
            [failed.id],
          )
          expect(yield* listed(orders, { status: "paid", invoiceStatus: "failed" })).toEqual([])
        }),
      )
    })

    it("list: stuckPaidBefore is the runbook's stuck paid query (paid, processedAt null, updatedAt before)", () => {
      const stuck = anOrder({ status: "paid", updatedAt: minute(5) })
      const fresh = anOrder({ status: "paid", updatedAt: minute(15) })
      const stamped = anOrder({
        status: "paid",
        updatedAt: minute(5),
        webhook: { processedAt: minute(4), lastEventId: null },
      })
      const confirmed = anOrder({ status: "confirmed", updatedAt: minute(5) })
      return run(
        Effect.gen(function* () {
          const orders = yield* seeded(stuck, fresh, stamped, confirmed)
          expect(ids(yield* orders.list({ stuckPaidBefore: minute(10), limit: 10 }))).toEqual([stuck.id])
          expect(yield* orders.list({ stuckPaidBefore: minute(10), status: "confirmed", limit: 10 })).toEqual(
            [],
          )
          expect(yield* orders.list({ stuckPaidBefore: minute(5), limit: 10 })).toEqual([])
        }),
      )
    })

    it("list: pages resume after the cursor, ties on createdAt broken by id, none lost or repeated", () => {
      const seed = [1, 2, 2, 2, 3, 3, 4].map((m) => anOrder({ createdAt: minute(m) }))
      return run(
        Effect.gen(function* () {
          const orders = yield* seeded(...seed)
          const all = yield* orders.list({ limit: 100 })
          expect(all).toHaveLength(seed.length)
          const pages: Array<string> = []
          let after: Order | undefined
          for (let page = 0; page < seed.length; page++) {
            const next = yield* orders.list({ limit: 2, ...(after === undefined ? {} : { after }) })
            pages.push(...ids(next))
            after = next.at(-1)
            if (next.length < 2) break
          }
          expect(pages).toEqual(ids(all))
          const tied = all.filter((o) => o.createdAt.getTime() === minute(2).getTime())
          expect(ids(tied)).toEqual([...ids(tied)].sort().reverse())
          const [, second] = all
          if (second === undefined) throw new Error("seeded orders missing")
          const cursor = { createdAt: second.createdAt, id: second.id }
          expect(ids(yield* orders.list({ after: cursor, createdBefore: minute(3), limit: 100 }))).toEqual(
            ids(all.slice(2).filter((o) => o.createdAt < minute(3))),
          )
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
