import { type ReceiveOutcome, type WebhookEvent, WebhookEventInbox } from "@settle/domain"
import { Effect, Layer } from "effect"
import { makeCollection, oldestFirst } from "./Collection.js"

export const make: Effect.Effect<WebhookEventInbox> = Effect.sync(() => {
  // Partial, like an index with a filter: only events the unfinalized query can return are filed.
  const events = makeCollection<WebhookEvent, "unfinalized">({
    indexes: { unfinalized: (e) => (e.status === "processed" ? null : "unfinalized") },
  })

  const service: WebhookEventInbox = {
    // Mirrors one upsert with attempts +1 that returns the document as it was before.
    receive: (event, at) =>
      Effect.sync((): ReceiveOutcome => {
        const current = events.peek(event.eventId)
        if (current === undefined) {
          events.put(event.eventId, {
            stripeEventId: event.eventId,
            type: event.type,
            status: "received",
            attempts: 1,
            lastError: null,
            orderId: "orderId" in event ? event.orderId : null,
            payload: event,
            createdAt: at,
            updatedAt: at,
            processedAt: null,
          })
          return { _tag: "New" }
        }
        const attempts = current.attempts + 1
        events.put(event.eventId, { ...current, attempts, updatedAt: at })
        return current.status === "processed" ? { _tag: "Duplicate" } : { _tag: "Retry", attempts }
      }),

    markProcessed: (stripeEventId, orderId, at) =>
      Effect.sync(() => {
        const current = events.peek(stripeEventId)
        // Already processed: the first processedAt is the one the runbook's queries rely on.
        if (current === undefined || current.status === "processed") return false
        events.put(stripeEventId, {
          ...current,
          status: "processed",
          processedAt: at,
          orderId: orderId ?? current.orderId,
          lastError: null,
          updatedAt: at,
        })
        return true
      }),

    markError: (stripeEventId, orderId, reason, at) =>
      Effect.sync(() => {
        const current = events.peek(stripeEventId)
        if (current === undefined || current.status === "processed") return
        events.put(stripeEventId, {
          ...current,
          status: "error",
          lastError: reason,
          orderId: orderId ?? current.orderId,
          updatedAt: at,
        })
      }),

    find: (stripeEventId) => Effect.sync(() => events.find(stripeEventId)),

    findUnfinalized: (before, limit) =>
      Effect.sync(() =>
        events.select(
          "unfinalized",
          ["unfinalized"],
          (e) => e.createdAt < before,
          oldestFirst((e) => e.createdAt),
          limit,
        ),
      ),
  }
  return service
})

export const layer: Layer.Layer<WebhookEventInbox> = Layer.effect(WebhookEventInbox, make)
