import { type Order, OrderRepository } from "@settle/domain"
import { Effect, type Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import { anOrder, aPayment, aRefund, minute } from "../fixtures.js"
import { racesConditionalWrites, raceTitle, type ServerRaceOptions } from "./ServerRaces.js"

const confirmedOrder = (amountRefunded = 0): Order =>
  anOrder({
    status: "confirmed",
    payment: aPayment({ amountReceived: 3000, amountRefunded }),
    webhook: { processedAt: minute(1), lastEventId: "evt_paid" },
  })

/** appendRefund and setGatewayRefundId of the OrderRepository contract. */
export const refunds = <E>(layer: Layer.Layer<OrderRepository, E>, options: ServerRaceOptions = {}): void => {
  const races = racesConditionalWrites(options)
  const run = <A, E2>(program: Effect.Effect<A, E2, OrderRepository>) =>
    Effect.runPromise(Effect.provide(program, layer))

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

    it(raceTitle("never refunds more than captured under concurrent requests", options), () =>
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
          const stored = Option.getOrThrow(yield* orders.findById(order.id))
          if (races) {
            // More callers than six hear "appended" and later writes drop earlier refunds, but the stored
            // order is one appender's whole write: within captured, its total the sum of its refunds.
            const winners = results.filter(Option.isSome).map((r) => r.value)
            expect(winners).toContainEqual(stored)
            expect(stored.payment.amountRefunded).toBeLessThanOrEqual(3000)
            expect(stored.payment.amountRefunded).toBe(stored.refunds.length * 500)
            return
          }
          expect(results.filter(Option.isSome)).toHaveLength(6)
          expect(stored.payment.amountRefunded).toBe(3000)
          expect(stored.refunds).toHaveLength(6)
        }),
      ),
    )
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

  describe("releaseRefund", () => {
    const reserved = () => {
      const kept = aRefund({ amount: 1000, gatewayRefundId: "re_kept" })
      const refused = aRefund({ amount: 500 })
      const later = aRefund({ amount: 700 })
      const order = anOrder({
        status: "partially_refunded",
        payment: aPayment({ amountReceived: 3000, amountRefunded: 2200 }),
        refunds: [kept, refused, later],
      })
      return { order, kept, refused, later }
    }

    it("removes the refund, gives its amount back and sets the status in one write", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const { order, kept, refused, later } = reserved()
          yield* orders.insert(order)
          const next = Option.getOrThrow(
            yield* orders.releaseRefund(order.id, refused.id, order.version, "partially_refunded", minute(6)),
          )
          expect(next.refunds).toEqual([kept, later])
          expect(next.payment.amountRefunded).toBe(1700)
          expect(next.version).toBe(order.version + 1)
          // A later refund moved up one place still gets its gateway id.
          const marked = yield* orders.setGatewayRefundId(order.id, later.id, "re_later", minute(7))
          expect(Option.getOrThrow(marked).refunds).toEqual([kept, { ...later, gatewayRefundId: "re_later" }])
        }),
      ))

    it("returns None and changes nothing on a stale version, a refund with a gateway id or an unknown id", () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const { order, kept, refused } = reserved()
          yield* orders.insert(order)
          for (const [refundId, version] of [
            [refused.id, order.version + 1],
            [kept.id, order.version],
            ["refund_nope", order.version],
          ] as const) {
            const released = yield* orders.releaseRefund(order.id, refundId, version, "confirmed", minute(6))
            expect(Option.isNone(released)).toBe(true)
          }
          expect(Option.getOrThrow(yield* orders.findById(order.id))).toEqual(order)
        }),
      ))
  })
}
