import { type Order, OrderRepository } from "@settle/domain"
import { Effect, type Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import { anInvoice, anOrder, aPayment, aRefund, minute } from "../fixtures.js"

const paidOrder = (overrides: Partial<Order> = {}): Order =>
  anOrder({ status: "paid", webhook: { processedAt: null, lastEventId: "evt_paid" }, ...overrides })

const confirmedOrder = (amountRefunded = 0): Order =>
  anOrder({
    status: "confirmed",
    payment: aPayment({ amountReceived: 3000, amountRefunded }),
    webhook: { processedAt: minute(1), lastEventId: "evt_paid" },
  })

/** markFinalized, updateInvoice and the refund writes of the OrderRepository contract. */
export const finalizationAndRefunds = <E>(layer: Layer.Layer<OrderRepository, E>): void => {
  const run = <A, E2>(program: Effect.Effect<A, E2, OrderRepository>) =>
    Effect.runPromise(Effect.provide(program, layer))

  describe("markFinalized", () => {
    it("confirms a paid order, sets processedAt and schedules the invoice", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const order = paidOrder()
          yield* orders.insert(order)
          const next = Option.getOrThrow(yield* orders.markFinalized(order.id, minute(7), "evt_final"))
          expect(next.status).toBe("confirmed")
          expect(next.webhook).toEqual({ processedAt: minute(7), lastEventId: "evt_final" })
          expect(next.invoice).toEqual({ ...order.invoice, status: "pending", nextAttemptAt: minute(7) })
          expect(next.version).toBe(order.version + 1)
          expect(next.updatedAt).toEqual(minute(7))
          expect(Option.getOrThrow(yield* orders.findById(order.id))).toEqual(next)
        }),
      ))

    it("keeps the last event id when none is given and an invoice already scheduled", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const invoice = anInvoice({ status: "manual" })
          const order = paidOrder({ invoice })
          yield* orders.insert(order)
          const next = Option.getOrThrow(yield* orders.markFinalized(order.id, minute(7), null))
          expect(next.webhook.lastEventId).toBe("evt_paid")
          expect(next.invoice).toEqual(invoice)
        }),
      ))

    it("finalizes once: a second call returns None and never moves processedAt", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const order = paidOrder()
          yield* orders.insert(order)
          const first = Option.getOrThrow(yield* orders.markFinalized(order.id, minute(7), "evt_a"))
          expect(Option.isNone(yield* orders.markFinalized(order.id, minute(9), "evt_b"))).toBe(true)
          expect(Option.getOrThrow(yield* orders.findById(order.id))).toEqual(first)
        }),
      ))

    it("returns None unless the order is paid with processedAt null", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const pending = anOrder()
          const stamped = paidOrder({ webhook: { processedAt: minute(2), lastEventId: null } })
          yield* orders.insert(pending)
          yield* orders.insert(stamped)
          expect(Option.isNone(yield* orders.markFinalized(pending.id, minute(7), null))).toBe(true)
          expect(Option.isNone(yield* orders.markFinalized(stamped.id, minute(7), null))).toBe(true)
          expect(Option.isNone(yield* orders.markFinalized(anOrder().id, minute(7), null))).toBe(true)
          expect(Option.getOrThrow(yield* orders.findById(stamped.id))).toEqual(stamped)
        }),
      ))

    it("finalizes exactly once under concurrent calls", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const order = paidOrder()
          yield* orders.insert(order)
          const results = yield* Effect.all(
            Array.from({ length: 50 }, (_, i) => orders.markFinalized(order.id, minute(i + 1), `evt_${i}`)),
            { concurrency: "unbounded" },
          )
          const winners = results.filter(Option.isSome)
          expect(winners).toHaveLength(1)
          const stored = Option.getOrThrow(yield* orders.findById(order.id))
          expect(stored.webhook.processedAt).toEqual(winners[0]?.value.webhook.processedAt)
          expect(stored.version).toBe(order.version + 1)
        }),
      ))
  })

  describe("updateInvoice", () => {
    it("replaces the invoice when its status is one of `from`", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const order = anOrder({ status: "confirmed", invoice: anInvoice({ status: "pending" }) })
          yield* orders.insert(order)
          const issued = anInvoice({ status: "issued", number: "INV-1", attempts: 1 })
          const next = Option.getOrThrow(
            yield* orders.updateInvoice(order.id, ["pending", "failed"], issued, minute(3)),
          )
          expect(next.invoice).toEqual(issued)
          expect(next.version).toBe(order.version + 1)
          expect(next.updatedAt).toEqual(minute(3))
        }),
      ))

    it("returns None and changes nothing when the invoice status is not in `from`", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const order = anOrder({
            status: "confirmed",
            invoice: anInvoice({ status: "issued", number: "INV-1" }),
          })
          yield* orders.insert(order)
          const retry = anInvoice({ status: "issuing", attempts: 2 })
          expect(
            Option.isNone(yield* orders.updateInvoice(order.id, ["pending", "failed"], retry, minute(3))),
          ).toBe(true)
          expect(Option.getOrThrow(yield* orders.findById(order.id))).toEqual(order)
        }),
      ))
  })

  describe("appendRefund", () => {
    it("appends the refund, adds to amountRefunded and sets the status in one write", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const order = confirmedOrder()
          yield* orders.insert(order)
          const refund = aRefund({ amount: 1000 })
          const next = Option.getOrThrow(
            yield* orders.appendRefund(
              order.id,
              refund,
              3000,
              ["confirmed"],
              "partially_refunded",
              minute(4),
            ),
          )
          expect(next.refunds).toEqual([refund])
          expect(next.payment.amountRefunded).toBe(1000)
          expect(next.status).toBe("partially_refunded")
          expect(next.version).toBe(order.version + 1)
          expect(next.updatedAt).toEqual(minute(4))
        }),
      ))

    it("refunds a repeated request once", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const order = confirmedOrder()
          yield* orders.insert(order)
          const refund = aRefund({ amount: 1000 })
          const from = ["confirmed", "partially_refunded"] as const
          yield* orders.appendRefund(order.id, refund, 3000, from, "partially_refunded", minute(4))
          const again = yield* orders.appendRefund(
            order.id,
            refund,
            3000,
            from,
            "partially_refunded",
            minute(5),
          )
          expect(Option.isNone(again)).toBe(true)
          const stored = Option.getOrThrow(yield* orders.findById(order.id))
          expect(stored.refunds).toHaveLength(1)
          expect(stored.payment.amountRefunded).toBe(1000)
        }),
      ))

    it("accepts up to the captured amount and refuses anything beyond it", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const order = confirmedOrder(2000)
          yield* orders.insert(order)
          const from = ["confirmed"] as const
          const over = yield* orders.appendRefund(
            order.id,
            aRefund({ amount: 1001 }),
            3000,
            from,
            "refunded",
            minute(4),
          )
          expect(Option.isNone(over)).toBe(true)
          expect(Option.getOrThrow(yield* orders.findById(order.id))).toEqual(order)
          const exact = yield* orders.appendRefund(
            order.id,
            aRefund({ amount: 1000 }),
            3000,
            from,
            "refunded",
            minute(4),
          )
          expect(Option.getOrThrow(exact).payment.amountRefunded).toBe(3000)
        }),
      ))

    it("returns None when the status is not in `from`", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const order = anOrder({ status: "pending" })
          yield* orders.insert(order)
          const result = yield* orders.appendRefund(
            order.id,
            aRefund(),
            3000,
            ["confirmed"],
            "refunded",
            minute(4),
          )
          expect(Option.isNone(result)).toBe(true)
          expect(Option.getOrThrow(yield* orders.findById(order.id))).toEqual(order)
        }),
      ))

    it("never refunds more than captured under concurrent requests", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const order = confirmedOrder()
          yield* orders.insert(order)
          const from = ["confirmed", "partially_refunded"] as const
          const results = yield* Effect.all(
            Array.from({ length: 20 }, () =>
              orders.appendRefund(
                order.id,
                aRefund({ amount: 500 }),
                3000,
                from,
                "partially_refunded",
                minute(4),
              ),
            ),
            { concurrency: "unbounded" },
          )
          expect(results.filter(Option.isSome)).toHaveLength(6)
          const stored = Option.getOrThrow(yield* orders.findById(order.id))
          expect(stored.payment.amountRefunded).toBe(3000)
          expect(stored.refunds).toHaveLength(6)
        }),
      ))
  })

  describe("setGatewayRefundId", () => {
    it("sets the gateway id on the matching refund only", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const a = aRefund()
          const b = aRefund()
          const order = anOrder({ status: "partially_refunded", refunds: [a, b] })
          yield* orders.insert(order)
          const next = Option.getOrThrow(
            yield* orders.setGatewayRefundId(order.id, b.id, "re_123", minute(6)),
          )
          expect(next.refunds).toEqual([a, { ...b, gatewayRefundId: "re_123" }])
          expect(next.version).toBe(order.version + 1)
          expect(next.updatedAt).toEqual(minute(6))
        }),
      ))

    it("lets one writer set the gateway id: a second call returns None and changes nothing", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const refund = aRefund()
          const order = anOrder({ status: "partially_refunded", refunds: [refund] })
          yield* orders.insert(order)
          expect(
            Option.isSome(yield* orders.setGatewayRefundId(order.id, refund.id, "re_1", minute(6))),
          ).toBe(true)
          expect(
            Option.isNone(yield* orders.setGatewayRefundId(order.id, refund.id, "re_2", minute(7))),
          ).toBe(true)
          const stored = Option.getOrThrow(yield* orders.findById(order.id))
          expect(stored.refunds[0]?.gatewayRefundId).toBe("re_1")
          expect(stored.version).toBe(order.version + 1)
        }),
      ))

    it("returns None for an unknown refund id", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const order = anOrder({ status: "partially_refunded", refunds: [aRefund()] })
          yield* orders.insert(order)
          expect(
            Option.isNone(yield* orders.setGatewayRefundId(order.id, "refund_nope", "re_1", minute(6))),
          ).toBe(true)
          expect(Option.getOrThrow(yield* orders.findById(order.id))).toEqual(order)
        }),
      ))
  })
}
