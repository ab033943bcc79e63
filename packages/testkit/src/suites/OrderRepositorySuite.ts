import { Currency, OrderRepository, PaymentIntentId, SessionId } from "@settle/domain"
import { Effect, type Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import { anOrder, aPayment, minute } from "../fixtures.js"
import { queries } from "./OrderRepositoryQueriesSuite.js"
import { refunds } from "./OrderRepositoryRefundsSuite.js"
import { finalization } from "./OrderRepositoryWritesSuite.js"
import { racesConditionalWrites, raceTitle, type ServerRaceOptions } from "./ServerRaces.js"

/** The OrderRepository contract; every adapter (memory, Mongo) must pass it unchanged. */
export const suite = <E>(
  name: string,
  layer: Layer.Layer<OrderRepository, E>,
  options: ServerRaceOptions = {},
): void => {
  const run = <A, E2>(program: Effect.Effect<A, E2, OrderRepository>) =>
    Effect.runPromise(Effect.provide(program, layer))

  describe(name, () => {
    describe("insert and find", () => {
      it("reads back an equal order by id, session and payment intent", () =>
        run(
          Effect.gen(function* () {
            const orders = yield* OrderRepository
            const pi = PaymentIntentId.make("pi_lookup")
            const order = anOrder({ payment: aPayment({ paymentIntentId: pi }) })
            yield* orders.insert(order)
            expect(Option.getOrThrow(yield* orders.findById(order.id))).toEqual(order)
            const sessionId = order.payment.sessionId ?? SessionId.make("never")
            expect(Option.getOrThrow(yield* orders.findBySessionId(sessionId)).id).toBe(order.id)
            expect(Option.getOrThrow(yield* orders.findByPaymentIntentId(pi)).id).toBe(order.id)
          }),
        ))

      it("finds nothing for unknown keys", () =>
        run(
          Effect.gen(function* () {
            const orders = yield* OrderRepository
            yield* orders.insert(anOrder())
            expect(Option.isNone(yield* orders.findById(anOrder().id))).toBe(true)
            expect(Option.isNone(yield* orders.findBySessionId(SessionId.make("cs_unknown")))).toBe(true)
            expect(
              Option.isNone(yield* orders.findByPaymentIntentId(PaymentIntentId.make("pi_unknown"))),
            ).toBe(true)
          }),
        ))

      it("rejects a second order with the same id as DuplicateKey and keeps the first", () =>
        run(
          Effect.gen(function* () {
            const orders = yield* OrderRepository
            const first = anOrder()
            yield* orders.insert(first)
            const error = yield* Effect.flip(
              orders.insert(anOrder({ id: first.id, customerEmail: "x@y.co" })),
            )
            expect(error._tag).toBe("DuplicateKey")
            expect(Option.getOrThrow(yield* orders.findById(first.id))).toEqual(first)
          }),
        ))

      it("rejects a second order with the same payment.sessionId as DuplicateKey", () =>
        run(
          Effect.gen(function* () {
            const orders = yield* OrderRepository
            const first = anOrder()
            yield* orders.insert(first)
            const second = anOrder({ payment: aPayment({ sessionId: first.payment.sessionId }) })
            const error = yield* Effect.flip(orders.insert(second))
            expect(error._tag).toBe("DuplicateKey")
            expect(Option.isNone(yield* orders.findById(second.id))).toBe(true)
          }),
        ))

      it("allows many orders without a session yet", () =>
        run(
          Effect.gen(function* () {
            const orders = yield* OrderRepository
            const a = anOrder({ payment: aPayment({ sessionId: null }) })
            const b = anOrder({ payment: aPayment({ sessionId: null }) })
            yield* orders.insert(a)
            yield* orders.insert(b)
            expect(Option.isSome(yield* orders.findById(b.id))).toBe(true)
          }),
        ))

      it("stores and returns copies, never shared objects", () =>
        run(
          Effect.gen(function* () {
            const orders = yield* OrderRepository
            const order = anOrder()
            const original = structuredClone(order)
            yield* orders.insert(order)
            Object.assign(order, { status: "refunded" })
            order.createdAt.setTime(0)
            const read = Option.getOrThrow(yield* orders.findById(order.id))
            Object.assign(read.payment, { amountRefunded: 999 })
            read.expiresAt.setTime(0)
            Object.assign(read.items, { length: 0 })
            expect(Option.getOrThrow(yield* orders.findById(order.id))).toEqual(original)
          }),
        ))
    })

    describe("transition", () => {
      it("applies the patch when the status is one of `from`, bumping version and updatedAt", () =>
        run(
          Effect.gen(function* () {
            const orders = yield* OrderRepository
            const order = anOrder()
            yield* orders.insert(order)
            const pi = PaymentIntentId.make("pi_paid")
            const next = Option.getOrThrow(
              yield* orders.transition(
                order.id,
                ["pending", "expired"],
                {
                  status: "paid",
                  payment: { paymentIntentId: pi, amountReceived: 3000, paidAt: minute(5) },
                  holdEpoch: 1,
                  lastEventId: "evt_pay",
                },
                minute(5),
              ),
            )
            expect(next.status).toBe("paid")
            expect(next.payment).toEqual({
              ...order.payment,
              paymentIntentId: pi,
              amountReceived: 3000,
              paidAt: minute(5),
            })
            expect(next.holdEpoch).toBe(1)
            expect(next.webhook).toEqual({ processedAt: null, lastEventId: "evt_pay" })
            expect(next.reviewReason).toBeNull()
            expect(next.version).toBe(order.version + 1)
            expect(next.updatedAt).toEqual(minute(5))
            expect(Option.getOrThrow(yield* orders.findById(order.id))).toEqual(next)
          }),
        ))

      it("keeps the status when the patch sets none and records a review reason", () =>
        run(
          Effect.gen(function* () {
            const orders = yield* OrderRepository
            const order = anOrder()
            yield* orders.insert(order)
            const next = Option.getOrThrow(
              yield* orders.transition(order.id, ["pending"], { reviewReason: "amount_mismatch" }, minute(1)),
            )
            expect(next.status).toBe("pending")
            expect(next.reviewReason).toBe("amount_mismatch")
            expect(next.payment).toEqual(order.payment)
          }),
        ))

      it("returns None and changes nothing when the status is not in `from`", () =>
        run(
          Effect.gen(function* () {
            const orders = yield* OrderRepository
            const order = anOrder({ status: "confirmed" })
            yield* orders.insert(order)
            const result = yield* orders.transition(
              order.id,
              ["pending", "expired"],
              { status: "paid" },
              minute(5),
            )
            expect(Option.isNone(result)).toBe(true)
            expect(Option.isNone(yield* orders.transition(order.id, [], { status: "paid" }, minute(5)))).toBe(
              true,
            )
            expect(Option.getOrThrow(yield* orders.findById(order.id))).toEqual(order)
          }),
        ))

      it("with an expected holdEpoch, applies only while the epoch still equals it (a revival's claim)", () =>
        run(
          Effect.gen(function* () {
            const orders = yield* OrderRepository
            const order = anOrder({ status: "expired", holdEpoch: 2 })
            yield* orders.insert(order)
            const stale = yield* orders.transition(order.id, ["expired"], { holdEpoch: 2 }, minute(5), 1)
            expect(Option.isNone(stale)).toBe(true)
            expect(Option.getOrThrow(yield* orders.findById(order.id))).toEqual(order)
            const claimed = yield* orders.transition(order.id, ["expired"], { holdEpoch: 3 }, minute(5), 2)
            expect(Option.getOrThrow(claimed)).toMatchObject({ status: "expired", holdEpoch: 3 })
            const again = yield* orders.transition(order.id, ["expired"], { holdEpoch: 3 }, minute(6), 2)
            expect(Option.isNone(again)).toBe(true)
          }),
        ))

      it("with an expected payment, applies only for that session and exactly that total and currency", () =>
        run(
          Effect.gen(function* () {
            const orders = yield* OrderRepository
            const order = anOrder()
            yield* orders.insert(order)
            const sessionId = order.payment.sessionId ?? SessionId.make("cs_missing")
            const { total, currency } = order.totals
            const pay = (expected: { sessionId: SessionId; total: { amount: number; currency: string } }) =>
              orders.transition(order.id, ["pending"], { status: "paid" }, minute(5), undefined, {
                sessionId: expected.sessionId,
                total: { amount: expected.total.amount, currency: Currency.make(expected.total.currency) },
              })
            for (const wrong of [
              { sessionId: SessionId.make("cs_another"), total: { amount: total, currency } },
              { sessionId, total: { amount: total + 1, currency } },
              { sessionId, total: { amount: total, currency: "USD" } },
            ]) {
              expect(Option.isNone(yield* pay(wrong))).toBe(true)
            }
            expect(Option.getOrThrow(yield* orders.findById(order.id))).toEqual(order)
            const paid = yield* pay({ sessionId, total: { amount: total, currency } })
            expect(Option.getOrThrow(paid)).toMatchObject({ status: "paid", version: order.version + 1 })
            expect(Option.isNone(yield* pay({ sessionId, total: { amount: total, currency } }))).toBe(true)
          }),
        ))

      it("returns None for an unknown order", () =>
        run(
          Effect.gen(function* () {
            const orders = yield* OrderRepository
            const result = yield* orders.transition(anOrder().id, ["pending"], { status: "paid" }, minute(5))
            expect(Option.isNone(result)).toBe(true)
          }),
        ))

      it("fails without writing when the patch takes another order's sessionId", () =>
        run(
          Effect.gen(function* () {
            const orders = yield* OrderRepository
            const taken = anOrder()
            const order = anOrder({ payment: aPayment({ sessionId: null }) })
            yield* orders.insert(taken)
            yield* orders.insert(order)
            const patch = { payment: { sessionId: taken.payment.sessionId } }
            const failure = yield* Effect.flip(orders.transition(order.id, ["pending"], patch, minute(1)))
            // A retry would hit the same key: the store refuses it for good.
            expect(failure).toMatchObject({ _tag: "StoreError", kind: "refused" })
            expect(Option.getOrThrow(yield* orders.findById(order.id))).toEqual(order)
          }),
        ))

      it(raceTitle("lets exactly one of many concurrent transitions from the same status win", options), () =>
        run(
          Effect.gen(function* () {
            const orders = yield* OrderRepository
            const order = anOrder()
            yield* orders.insert(order)
            const results = yield* Effect.all(
              Array.from({ length: 50 }, (_, i) =>
                orders.transition(
                  order.id,
                  ["pending"],
                  { status: "paid", lastEventId: `evt_${i}` },
                  minute(1),
                ),
              ),
              { concurrency: "unbounded" },
            )
            const winners = results.filter(Option.isSome).map((r) => r.value)
            // A racing server lets every writer that read `pending` through; the last write stays whole.
            if (racesConditionalWrites(options)) expect(winners.length).toBeGreaterThanOrEqual(1)
            else expect(winners).toHaveLength(1)
            const stored = Option.getOrThrow(yield* orders.findById(order.id))
            expect(stored.version).toBe(order.version + 1)
            expect(winners).toContainEqual(stored)
          }),
        ),
      )
    })

    finalization(layer, options)
    refunds(layer, options)
    queries(layer)
  })
}
