import { Effect } from "effect"
import type { Db, IndexDescription } from "mongodb"
import { mongoRead } from "./mongoCall.js"

/**
 * Every index Settle's writes and the runbook's queries rely on, by collection. Unique indexes are
 * what make inserts idempotent; the others serve the jobs and the runbook's order-health queries.
 */
export const INDEXES: Readonly<Record<string, ReadonlyArray<IndexDescription>>> = {
  orders: [
    // Sparse, and the adapter leaves payment.sessionId out until a session opens, so orders without
    // one never collide; a partial index would say it more directly, but FerretDB has none.
    { key: { "payment.sessionId": 1 }, name: "payment_sessionId_unique", unique: true, sparse: true },
    { key: { "payment.paymentIntentId": 1 }, name: "payment_paymentIntentId" },
    { key: { status: 1, expiresAt: 1 }, name: "status_expiresAt" },
    { key: { status: 1, "webhook.processedAt": 1, updatedAt: 1 }, name: "status_processedAt_updatedAt" },
    { key: { "invoice.status": 1, "invoice.nextAttemptAt": 1 }, name: "invoice_status_nextAttemptAt" },
    { key: { createdAt: -1 }, name: "createdAt" },
    // The admin listing's sort and cursor (createdAt, then _id), and its lookup by customer email.
    { key: { createdAt: -1, _id: -1 }, name: "createdAt_id" },
    { key: { customerEmail: 1, createdAt: -1 }, name: "customerEmail_createdAt" },
  ],
  products: [{ key: { sku: 1 }, name: "sku_unique", unique: true }],
  coupons: [{ key: { code: 1 }, name: "code_unique", unique: true }],
  // A hot owner's places (places.ts): the hold picks the owner's fullest place with room by the first;
  // the second keeps a hold's key to one place of its owner and finds that place for its commit.
  productplaces: [
    { key: { owner: 1, "stock.available": 1 }, name: "owner_available" },
    { key: { slots: 1 }, name: "slots_unique", unique: true },
  ],
  couponplaces: [
    { key: { owner: 1, available: 1 }, name: "owner_available" },
    { key: { slots: 1 }, name: "slots_unique", unique: true },
  ],
  couponreservations: [
    { key: { couponId: 1, orderId: 1 }, name: "couponId_orderId_unique", unique: true },
    { key: { status: 1, expiresAt: 1 }, name: "status_expiresAt" },
  ],
  stripewebhookevents: [
    { key: { stripeEventId: 1 }, name: "stripeEventId_unique", unique: true },
    { key: { status: 1, createdAt: 1 }, name: "status_createdAt" },
  ],
  ledgerentries: [
    { key: { kind: 1, externalId: 1 }, name: "kind_externalId_unique", unique: true },
    { key: { orderId: 1, createdAt: 1 }, name: "orderId_createdAt" },
  ],
  auditrecords: [
    { key: { orderId: 1, at: 1 }, name: "orderId_at" },
    { key: { at: -1 }, name: "at" },
  ],
  mediaassets: [{ key: { createdAt: -1 }, name: "createdAt" }],
  // The latest generation of a job's lease (MongoJobLeases); `_id` already makes each generation unique.
  jobleases: [{ key: { job: 1, generation: -1 }, name: "job_generation_unique", unique: true }],
  // The latest claim of a key (MongoIdempotencyKeys), and the TTL index that forgets keys after 24 h.
  idempotencykeys: [
    { key: { scope: 1, key: 1, generation: -1 }, name: "scope_key_generation_unique", unique: true },
    { key: { expiresAt: 1 }, name: "expiresAt_ttl", expireAfterSeconds: 0 },
  ],
}

/**
 * Create the indexes; idempotent (an existing index with the same spec is a no-op), run at startup.
 * One index per call: FerretDB v1 drops the connection (a panic) when one call names several indexes
 * that already exist, which is every start after the first on a database, e.g. a second replica's.
 */
export const ensureIndexes = (db: Db) =>
  Effect.forEach(
    Object.entries(INDEXES).flatMap(([collection, indexes]) =>
      indexes.map((index) => [collection, index] as const),
    ),
    ([collection, index]) => createIndex(db, collection, index),
    { discard: true },
  )

/**
 * FerretDB v1 has no TTL indexes ("Index option expireAfterSeconds is not implemented yet"): there the
 * index is made without its expiry, and expired documents are ignored by the reads rather than
 * deleted (docs/storage.md).
 */
const createIndex = (db: Db, collection: string, index: IndexDescription) =>
  mongoRead(collection, "createIndexes", () => db.collection(collection).createIndexes([index])).pipe(
    Effect.catchTag("StoreError", (error) => {
      if (index.expireAfterSeconds === undefined || !error.message.includes("expireAfterSeconds")) {
        return Effect.fail(error)
      }
      const { expireAfterSeconds: _, ...untimed } = index
      return mongoRead(collection, "createIndexes", () => db.collection(collection).createIndexes([untimed]))
    }),
  )
