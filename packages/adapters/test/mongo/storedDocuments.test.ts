import { OrderRepository, type StoreError, WebhookEventInbox } from "@settle/domain"
import { anEvent, anInvoice, anOrder, aPayment, aRefund, minute } from "@settle/testkit/fixtures"
import { Effect, Layer, Option } from "effect"
import type { Db, Document } from "mongodb"
import { describe, expect, it } from "vitest"
import { MongoDatabase } from "../../src/mongo/MongoDatabase.js"
import * as MongoOrderRepository from "../../src/mongo/MongoOrderRepository.js"
import * as MongoWebhookEventInbox from "../../src/mongo/MongoWebhookEventInbox.js"
import { freshDatabase } from "../support/mongoStorage.js"

/** What the contract suites cannot see: the stored documents the runbook's mongosh queries read. */
const stores = Layer.mergeAll(MongoOrderRepository.layer, MongoWebhookEventInbox.layer).pipe(
  Layer.provideMerge(freshDatabase),
)
const run = <A, E>(program: Effect.Effect<A, E, OrderRepository | WebhookEventInbox | MongoDatabase>) =>
  Effect.runPromise(Effect.provide(program, stores))
const promise = <A>(call: () => Promise<A>) => Effect.promise(call)
/** Settle's documents are keyed by a string `_id`. */
type Keyed = Document & { _id: string }
const ordersOf = (db: Db) => db.collection<Keyed>("orders")

describe("stored documents", () => {
  it("keeps an order's id as _id and leaves payment.sessionId out while it is null", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase
        const orders = yield* OrderRepository
        const order = anOrder({ payment: aPayment({ sessionId: null }) })
        yield* orders.insert(order)
        const stored = yield* promise(() => ordersOf(db).findOne({ _id: order.id }))
        expect(stored?.id).toBeUndefined()
        expect(stored?.payment).not.toHaveProperty("sessionId")
        const opened = yield* orders.transition(order.id, ["pending"], { payment: aPayment() }, minute(1))
        const sessionId = Option.getOrThrow(opened).payment.sessionId
        expect(sessionId).not.toBeNull()
        const closed = yield* orders.transition(
          order.id,
          ["pending"],
          { payment: { sessionId: null } },
          minute(2),
        )
        expect(Option.getOrThrow(closed).payment.sessionId).toBeNull()
        const again = yield* promise(() => ordersOf(db).findOne({ _id: order.id }))
        expect(again?.payment).not.toHaveProperty("sessionId")
      }),
    ))

  it("answers the runbook's order-health and reconciliation queries verbatim", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase
        const orders = yield* OrderRepository
        const stuck = anOrder({ status: "paid", updatedAt: minute(0) })
        const failed = anOrder({ status: "confirmed", invoice: anInvoice({ status: "failed" }) })
        yield* Effect.forEach([stuck, failed, anOrder()], (order) => orders.insert(order))
        const collection = ordersOf(db)
        const count = (filter: object) => promise(() => collection.countDocuments(filter))
        expect(yield* count({ status: "paid", "webhook.processedAt": null })).toBe(1)
        expect(yield* count({ "invoice.status": "failed" })).toBe(1)
        const stale = { status: "paid", "webhook.processedAt": null, updatedAt: { $lt: minute(10) } }
        expect((yield* promise(() => collection.find(stale).toArray())).map((d) => d._id)).toEqual([stuck.id])
        yield* orders.markFinalized(stuck.id, minute(11), "evt_final")
        expect(yield* count({ status: "paid", "webhook.processedAt": null })).toBe(0)
      }),
    ))

  it("answers the runbook's webhook query verbatim, by stripeEventId", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase
        const inbox = yield* WebhookEventInbox
        const open = anEvent()
        const done = anEvent()
        yield* inbox.receive(open, minute(0))
        yield* inbox.receive(done, minute(0))
        yield* inbox.markProcessed(done.eventId, null, minute(1))
        const unfinalized = yield* promise(() =>
          db
            .collection("stripewebhookevents")
            .find({ status: { $ne: "processed" }, createdAt: { $lt: minute(10) } })
            .toArray(),
        )
        expect(unfinalized.map((d) => d.stripeEventId)).toEqual([open.eventId])
      }),
    ))

  it("reports a malformed document as a StoreError naming the collection and _id", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase
        const orders = yield* OrderRepository
        const order = anOrder({ refunds: [aRefund()] })
        yield* orders.insert(order)
        yield* promise(() => ordersOf(db).updateOne({ _id: order.id }, { $set: { "totals.total": -5 } }))
        const error: StoreError = yield* Effect.flip(orders.findById(order.id))
        expect(error._tag).toBe("StoreError")
        expect(error.message).toContain(`orders _id=${order.id}`)
      }),
    ))
})
