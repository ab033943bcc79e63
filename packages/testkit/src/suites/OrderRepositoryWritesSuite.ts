import { type Order, OrderRepository } from "@settle/domain"
import { Effect, type Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import { anInvoice, anOrder, minute } from "../fixtures.js"
import { racesConditionalWrites, raceTitle, type ServerRaceOptions } from "./ServerRaces.js"

const paidOrder = (overrides: Partial<Order> = {}): Order =>
  anOrder({ status: "paid", webhook: { processedAt: null, lastEventId: "evt_paid" }, ...overrides })

/** markFinalized and updateInvoice of the OrderRepository contract. */
export const finalization = <E>(
  layer: Layer.Layer<OrderRepository, E>,
  options: ServerRaceOptions = {},
): void => {
  const races = racesConditionalWrites(options)
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

    it(raceTitle("finalizes exactly once under concurrent calls", options), () =>
      run(
        Effect.gen(function* () {
          const orders = yield* OrderRepository
          const order = paidOrder()
          yield* orders.insert(order)
          const results = yield* Effect.all(
            Array.from({ length: 50 }, (_, i) => orders.markFinalized(order.id, minute(i + 1), `evt_${i}`)),
            { concurrency: "unbounded" },
          )
          const winners = results.filter(Option.isSome).map((r) => r.value)
          // A racing server confirms for every caller that read processedAt null; one write stays whole.
          if (races) expect(winners.length).toBeGreaterThanOrEqual(1)
          else expect(winners).toHaveLength(1)
          const stored = Option.getOrThrow(yield* orders.findById(order.id))
          expect(winners).toContainEqual(stored)
          expect(stored.version).toBe(order.version + 1)
        }),
      ),
    )
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
}
