import { type ReceiveOutcome, StoreError, WebhookEvent, WebhookEventInbox } from "@settle/domain"
import { Effect, Layer } from "effect"
import type { Document } from "mongodb"
import { fromDocument } from "./documents.js"
import { MongoDatabase } from "./MongoDatabase.js"
import { mongoCall, mongoRead } from "./mongoCall.js"

const COLLECTION = "stripewebhookevents"

// The record is keyed by the unique stripeEventId, which is what the runbook queries by; `_id` is the
// server's own and not part of the entity.
const decodeStored = fromDocument(WebhookEvent, COLLECTION, null)

/** The nullable fields receive's $setOnInsert writes as null. */
const INSERTED_NULL = ["lastError", "orderId", "processedAt"] as const

/**
 * FerretDB v1 drops top-level null fields from an upsert's $setOnInsert (MongoDB stores them), so a
 * record no later write has touched may lack them; absent reads as null, as a query on null matches both.
 */
const decode = (doc: Document): Effect.Effect<WebhookEvent, StoreError> => {
  // The driver's fresh copy, read for this call alone: completed in place.
  for (const field of INSERTED_NULL) if (!(field in doc)) doc[field] = null
  return decodeStored(doc)
}

export const make: Effect.Effect<WebhookEventInbox, never, MongoDatabase> = Effect.gen(function* () {
  const { db } = yield* MongoDatabase
  const events = db.collection<Document>(COLLECTION)

  const outcome = (before: Document | null): Effect.Effect<ReceiveOutcome, StoreError> =>
    before === null
      ? Effect.succeed({ _tag: "New" })
      : Effect.map(
          decode(before),
          (event): ReceiveOutcome =>
            event.status === "processed"
              ? { _tag: "Duplicate" }
              : { _tag: "Retry", attempts: event.attempts + 1 },
        )

  /** The processed/error writes: never touch a processed event, whose first processedAt must stay. */
  /** True when this write changed the event, i.e. it was not processed yet. */
  const unlessProcessed = (what: string, stripeEventId: string, set: Document) =>
    mongoRead(COLLECTION, what, () =>
      events.updateOne({ stripeEventId, status: { $ne: "processed" } }, { $set: set }),
    ).pipe(Effect.map((result) => result.modifiedCount === 1))

  const service: WebhookEventInbox = {
    // One round trip: the upsert records the delivery and counts it, and the document as it was before
    // tells a first delivery (none), a retry (unprocessed) and a duplicate (processed) apart.
    receive: (event, at) =>
      mongoCall(COLLECTION, "receive", () =>
        events.findOneAndUpdate(
          { stripeEventId: event.eventId },
          {
            $setOnInsert: {
              stripeEventId: event.eventId,
              type: event.type,
              status: "received",
              lastError: null,
              orderId: "orderId" in event ? event.orderId : null,
              payload: event,
              createdAt: at,
              processedAt: null,
            },
            $inc: { attempts: 1 },
            $set: { updatedAt: at },
          },
          { upsert: true, returnDocument: "before" },
        ),
      ).pipe(
        // Two first deliveries racing both try to insert; the unique index lets one in and the other
        // gets a duplicate key. Running the same upsert again finds the record and counts a retry.
        Effect.retry({ while: (error) => error._tag === "DuplicateKey", times: 3 }),
        Effect.catchTag("DuplicateKey", (error) =>
          Effect.fail(
            new StoreError({ message: `[db] ${COLLECTION}.receive: upsert kept colliding`, cause: error }),
          ),
        ),
        Effect.flatMap(outcome),
      ),

    markProcessed: (stripeEventId, orderId, at) =>
      unlessProcessed("markProcessed", stripeEventId, {
        status: "processed",
        processedAt: at,
        lastError: null,
        updatedAt: at,
        ...(orderId === null ? {} : { orderId }),
      }),

    markError: (stripeEventId, orderId, reason, at) =>
      unlessProcessed("markError", stripeEventId, {
        status: "error",
        lastError: reason,
        updatedAt: at,
        ...(orderId === null ? {} : { orderId }),
      }).pipe(Effect.asVoid),

    find: (stripeEventId) =>
      mongoRead(COLLECTION, "find", () => events.findOne({ stripeEventId })).pipe(
        Effect.flatMap((doc) => (doc === null ? Effect.succeedNone : Effect.asSome(decode(doc)))),
      ),

    // The runbook's "received but not finalized" query, oldest first.
    findUnfinalized: (before, limit) =>
      limit < 1
        ? Effect.succeed([])
        : mongoRead(COLLECTION, "findUnfinalized", () =>
            events
              .find({ status: { $ne: "processed" }, createdAt: { $lt: before } })
              .sort({ createdAt: 1 })
              .limit(Math.floor(limit))
              .toArray(),
          ).pipe(Effect.flatMap((docs) => Effect.forEach(docs, decode))),
  }
  return service
})

export const layer: Layer.Layer<WebhookEventInbox, never, MongoDatabase> = Layer.effect(
  WebhookEventInbox,
  make,
)
