import { OrderId, type WebhookEvent, WebhookEventInbox } from "@settle/domain"
import { Effect, type Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import { aChargeRefundedEvent, anEvent, anUnrecognizedEvent, minute } from "../fixtures.js"
import { racesConditionalWrites, raceTitle, type ServerRaceOptions } from "./ServerRaces.js"

const eventIds = (events: ReadonlyArray<WebhookEvent>): ReadonlyArray<string> =>
  events.map((e) => e.stripeEventId)

/** The WebhookEventInbox contract; every adapter (memory, Mongo) must pass it unchanged. */
export const suite = <E>(
  name: string,
  layer: Layer.Layer<WebhookEventInbox, E>,
  options: ServerRaceOptions = {},
): void => {
  const run = <A, E2>(program: Effect.Effect<A, E2, WebhookEventInbox>) =>
    Effect.runPromise(Effect.provide(program, layer))
  const read = (id: string) =>
    Effect.flatMap(WebhookEventInbox, (inbox) => Effect.map(inbox.find(id), Option.getOrThrow))

  describe(name, () => {
    it("records a first delivery as New with the event as payload", () =>
      run(
        Effect.gen(function* () {
          const inbox = yield* WebhookEventInbox
          const event = anEvent()
          expect(yield* inbox.receive(event, minute(1))).toEqual({ _tag: "New" })
          expect(yield* read(event.eventId)).toEqual({
            stripeEventId: event.eventId,
            type: event.type,
            status: "received",
            attempts: 1,
            lastError: null,
            orderId: event.orderId,
            payload: event,
            createdAt: minute(1),
            updatedAt: minute(1),
            processedAt: null,
          })
          expect(Option.isNone(yield* inbox.find("evt_unknown"))).toBe(true)
        }),
      ))

    it("takes orderId from the event only when it carries one", () =>
      run(
        Effect.gen(function* () {
          const inbox = yield* WebhookEventInbox
          const refunded = aChargeRefundedEvent()
          const unknownType = anUnrecognizedEvent()
          const noOrder = anEvent({ orderId: null })
          yield* Effect.forEach([refunded, unknownType, noOrder], (e) => inbox.receive(e, minute(1)))
          for (const e of [refunded, unknownType, noOrder]) {
            const record = yield* read(e.eventId)
            expect(record.orderId).toBeNull()
            expect(record.payload).toEqual(e)
          }
        }),
      ))

    it("counts later deliveries of an unfinished event as Retry with the attempt number", () =>
      run(
        Effect.gen(function* () {
          const inbox = yield* WebhookEventInbox
          const event = anEvent()
          yield* inbox.receive(event, minute(1))
          expect(yield* inbox.receive(event, minute(2))).toEqual({ _tag: "Retry", attempts: 2 })
          yield* inbox.markError(event.eventId, null, "store timeout", minute(3))
          expect(yield* inbox.receive(event, minute(4))).toEqual({ _tag: "Retry", attempts: 3 })
          const record = yield* read(event.eventId)
          expect(record.attempts).toBe(3)
          expect(record.createdAt).toEqual(minute(1))
          expect(record.status).toBe("error")
        }),
      ))

    it("answers Duplicate once processed, still counting attempts", () =>
      run(
        Effect.gen(function* () {
          const inbox = yield* WebhookEventInbox
          const event = anEvent()
          yield* inbox.receive(event, minute(1))
          yield* inbox.markProcessed(event.eventId, event.orderId, minute(2))
          expect(yield* inbox.receive(event, minute(3))).toEqual({ _tag: "Duplicate" })
          expect(yield* inbox.receive(event, minute(4))).toEqual({ _tag: "Duplicate" })
          const record = yield* read(event.eventId)
          expect(record.attempts).toBe(3)
          expect(record.status).toBe("processed")
        }),
      ))

    it("markProcessed sets processed, clears lastError and keeps the first processedAt", () =>
      run(
        Effect.gen(function* () {
          const inbox = yield* WebhookEventInbox
          const event = anEvent({ orderId: null })
          const orderId = OrderId.make("ord_found")
          yield* inbox.receive(event, minute(1))
          yield* inbox.markError(event.eventId, null, "store timeout", minute(2))
          expect(yield* inbox.markProcessed(event.eventId, orderId, minute(3))).toBe(true)
          const processed = yield* read(event.eventId)
          expect(processed).toMatchObject({
            status: "processed",
            lastError: null,
            orderId,
            processedAt: minute(3),
          })
          expect(yield* inbox.markProcessed(event.eventId, orderId, minute(9))).toBe(false)
          expect((yield* read(event.eventId)).processedAt).toEqual(minute(3))
        }),
      ))

    it("markProcessed without an order id keeps the one recorded", () =>
      run(
        Effect.gen(function* () {
          const inbox = yield* WebhookEventInbox
          const event = anEvent()
          yield* inbox.receive(event, minute(1))
          yield* inbox.markProcessed(event.eventId, null, minute(2))
          expect((yield* read(event.eventId)).orderId).toBe(event.orderId)
        }),
      ))

    it("markError records the reason on an unprocessed event", () =>
      run(
        Effect.gen(function* () {
          const inbox = yield* WebhookEventInbox
          const event = anEvent({ orderId: null })
          const orderId = OrderId.make("ord_mismatch")
          yield* inbox.receive(event, minute(1))
          yield* inbox.markError(event.eventId, orderId, "amount_mismatch", minute(2))
          const record = yield* read(event.eventId)
          expect(record).toMatchObject({
            status: "error",
            lastError: "amount_mismatch",
            orderId,
            processedAt: null,
          })
        }),
      ))

    it("markError leaves a processed event untouched", () =>
      run(
        Effect.gen(function* () {
          const inbox = yield* WebhookEventInbox
          const event = anEvent()
          yield* inbox.receive(event, minute(1))
          yield* inbox.markProcessed(event.eventId, event.orderId, minute(2))
          const processed = yield* read(event.eventId)
          yield* inbox.markError(event.eventId, null, "late failure", minute(3))
          expect(yield* read(event.eventId)).toEqual(processed)
        }),
      ))

    it("returns copies, never shared objects", () =>
      run(
        Effect.gen(function* () {
          const inbox = yield* WebhookEventInbox
          const event = anEvent()
          const original = structuredClone(event)
          yield* inbox.receive(event, minute(1))
          Object.assign(event, { type: "mutated" })
          const record = yield* read(original.eventId)
          Object.assign(record, { status: "processed" })
          Object.assign(record.payload, { type: "mutated" })
          record.createdAt.setTime(0)
          const again = yield* read(original.eventId)
          expect(again.status).toBe("received")
          expect(again.payload).toEqual(original)
          expect(again.createdAt).toEqual(minute(1))
        }),
      ))

    it("findUnfinalized: not processed and created strictly before `before`, oldest first", () => {
      const late = anEvent()
      const early = anEvent()
      const failed = anEvent()
      const done = anEvent()
      const deliveries = [
        { event: late, at: minute(3) },
        { event: early, at: minute(1) },
        { event: failed, at: minute(2) },
        { event: done, at: minute(0) },
        { event: anEvent(), at: minute(10) },
        { event: anEvent(), at: minute(11) },
      ]
      return run(
        Effect.gen(function* () {
          const inbox = yield* WebhookEventInbox
          yield* Effect.forEach(deliveries, (d) => inbox.receive(d.event, d.at))
          yield* inbox.markError(failed.eventId, null, "boom", minute(4))
          yield* inbox.markProcessed(done.eventId, null, minute(4))
          const found = yield* inbox.findUnfinalized(minute(10), 10)
          expect(eventIds(found)).toEqual([early.eventId, failed.eventId, late.eventId])
          expect(eventIds(yield* inbox.findUnfinalized(minute(10), 2))).toEqual([
            early.eventId,
            failed.eventId,
          ])
        }),
      )
    })

    it(raceTitle("records concurrent deliveries of one event as one New and the rest Retry", options), () =>
      run(
        Effect.gen(function* () {
          const inbox = yield* WebhookEventInbox
          const event = anEvent()
          const outcomes = yield* Effect.all(
            Array.from({ length: 50 }, () => inbox.receive(event, minute(1))),
            { concurrency: "unbounded" },
          )
          // The unique event id keeps New single even on a racing server; only the counting races.
          expect(outcomes.filter((o) => o._tag === "New")).toHaveLength(1)
          const retries = outcomes.flatMap((o) => (o._tag === "Retry" ? [o.attempts] : []))
          if (racesConditionalWrites(options)) {
            // Concurrent attempts +1 read the same count and overwrite each other: numbers repeat.
            expect(retries).toHaveLength(49)
            expect(retries.every((n) => n >= 2 && n <= 50)).toBe(true)
            // The stored count is the one some delivery wrote and was told.
            expect([1, ...retries]).toContain((yield* read(event.eventId)).attempts)
            return
          }
          expect([...retries].sort((a, b) => a - b)).toEqual(Array.from({ length: 49 }, (_, i) => i + 2))
          expect((yield* read(event.eventId)).attempts).toBe(50)
        }),
      ),
    )
  })
}
