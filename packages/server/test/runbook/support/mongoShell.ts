import type { MongoDatabase } from "@settle/adapters"

type Db = MongoDatabase.MongoDatabase["db"]

/**
 * Every MongoDB shell query docs/runbook.md prints, character for character (runbookReferences.test.ts
 * checks both ways). The scenario tests run them against the broken database, so a query that names
 * a collection or field Settle does not write fails a test instead of misleading an operator.
 */
export const RUNBOOK_QUERIES = {
  paidUnconfirmedCount: 'db.orders.countDocuments({ status: "paid", "webhook.processedAt": null })',
  invoiceFailedCount: 'db.orders.countDocuments({ "invoice.status": "failed" })',
  leakedCount: 'db.couponreservations.countDocuments({ status: "reserved", expiresAt: { $lt: new Date() } })',
  stuckPaid:
    'db.orders.find({ status: "paid", "webhook.processedAt": null, updatedAt: { $lt: new Date(Date.now() - 10 * 60 * 1000) } })',
  failedInvoices: 'db.orders.find({ "invoice.status": "failed" })',
  failedInvoicesFirst20: 'db.orders.find({ "invoice.status": "failed" }).limit(20)',
  stuckReservations: 'db.couponreservations.find({ status: "reserved", expiresAt: { $lt: new Date() } })',
  unfinalizedEvents:
    'db.stripewebhookevents.find({ status: { $ne: "processed" }, createdAt: { $lt: new Date(Date.now() - 10 * 60 * 1000) } })',
  paymentReview: 'db.orders.find({ status: "payment_review" })',
  couponCounters: "db.coupons.find({}, { code: 1, reservedCount: 1, available: 1 })",
  reservedPerCoupon:
    'db.couponreservations.aggregate([{ $match: { status: "reserved" } }, { $group: { _id: "$couponId", reserved: { $sum: 1 } } }])',
} as const

export type RunbookQuery = keyof typeof RUNBOOK_QUERIES

/** `db.<collection>` as mongosh has it: find's second argument is the projection. */
const shellOf = (db: Db) =>
  new Proxy(
    {},
    {
      get: (_, name) => {
        const collection = db.collection(String(name))
        return {
          find: (filter: object = {}, projection?: object) =>
            collection.find(filter, projection === undefined ? {} : { projection }),
          countDocuments: (filter: object = {}) => collection.countDocuments(filter),
          aggregate: (pipeline: ReadonlyArray<object>) => collection.aggregate([...pipeline]),
        }
      },
    },
  )

/** Runs one of the runbook's queries as an operator pastes it into mongosh; cursors are read out. */
export const runQuery = async (db: Db, name: RunbookQuery): Promise<unknown> => {
  // The runbook's own text, evaluated as JavaScript against a mongosh-shaped `db`: that is what it is.
  const result: unknown = new Function("db", `return ${RUNBOOK_QUERIES[name]}`)(shellOf(db))
  if (typeof result === "object" && result !== null && "toArray" in result) {
    return (result as { toArray: () => Promise<unknown> }).toArray()
  }
  return result
}

/** The `_id`s a find query returned. */
export const idsOf = async (db: Db, name: RunbookQuery): Promise<ReadonlyArray<unknown>> =>
  ((await runQuery(db, name)) as ReadonlyArray<{ readonly _id: unknown }>).map((doc) => doc._id)
