import {
  Invoice,
  Order,
  type OrderListQuery,
  type OrderPatch,
  OrderRepository,
  Payment,
  type SessionId,
  type StoreError,
} from "@settle/domain"
import { Effect, Layer, Option } from "effect"
import type { Document, Filter, Sort, UpdateFilter } from "mongodb"
import { fromDocument } from "./documents.js"
import { MongoDatabase } from "./MongoDatabase.js"
import { mongoCall, mongoRead } from "./mongoCall.js"

const COLLECTION = "orders"
const INVOICE_DUE: ReadonlyArray<Invoice["status"]> = ["pending", "failed", "issuing"]

/** An order as stored: its id is `_id`, and payment.sessionId is absent while null (see encode). */
type OrderDocument = Omit<Order, "id" | "payment"> & {
  readonly _id: string
  readonly payment: Omit<Payment, "sessionId"> & { readonly sessionId?: SessionId }
}

const decodeStored = fromDocument(Order, COLLECTION)

/**
 * A missing payment.sessionId (see encode) reads back as null. The document is the driver's fresh
 * copy, read for this call alone, so it is completed in place rather than copied.
 */
const decode = (doc: Document): Effect.Effect<Order, StoreError> => {
  const payment: unknown = doc.payment
  if (typeof payment === "object" && payment !== null && !("sessionId" in payment)) {
    ;(payment as { sessionId?: null }).sessionId = null
  }
  return decodeStored(doc)
}

/**
 * The unique index on payment.sessionId is sparse (FerretDB has no partial indexes), and a sparse
 * index still indexes explicit nulls: many orders without a session would collide. So a null
 * sessionId is simply not stored.
 */
const encode = ({ id, payment: { sessionId, ...payment }, ...order }: Order): OrderDocument => ({
  _id: id,
  ...order,
  payment: sessionId === null ? payment : { ...payment, sessionId },
})

/**
 * The `$set`/`$unset` of a partial payment, one dotted path per field the patch carries (the schema's
 * fields only), so the fields it leaves out keep their stored value.
 */
const paymentFields = (payment: Partial<Payment>) => {
  const set: Record<string, unknown> = {}
  const unset: Record<string, ""> = {}
  for (const field of Object.keys(Payment.fields) as Array<keyof Payment>) {
    const value = payment[field]
    if (value === undefined) continue
    if (field === "sessionId" && value === null) unset["payment.sessionId"] = ""
    else set[`payment.${field}`] = value
  }
  return { set, unset }
}

/** Every invoice field as a dotted `$set` path: updateInvoice replaces the invoice state as given. */
const invoiceFields = (invoice: Invoice): Record<string, unknown> =>
  Object.fromEntries(
    (Object.keys(Invoice.fields) as Array<keyof Invoice>).map((field) => [
      `invoice.${field}`,
      invoice[field],
    ]),
  )

const patchUpdate = (patch: OrderPatch, at: Date): UpdateFilter<OrderDocument> => {
  const { set, unset } = paymentFields(patch.payment ?? {})
  if (patch.status !== undefined) set.status = patch.status
  if (patch.reviewReason !== undefined) set.reviewReason = patch.reviewReason
  if (patch.holdEpoch !== undefined) set.holdEpoch = patch.holdEpoch
  if (patch.lastEventId !== undefined) set["webhook.lastEventId"] = patch.lastEventId
  set.updatedAt = at
  return Object.keys(unset).length === 0
    ? { $set: set, $inc: { version: 1 } }
    : { $set: set, $unset: unset, $inc: { version: 1 } }
}

/**
 * The listing's filter. Each filter is its own clause of an `$and`, so two that touch the same field
 * (status and stuck paid; createdAt bounds and the cursor) both hold instead of one replacing the other.
 */
const listFilter = (q: OrderListQuery): Filter<OrderDocument> => {
  const clauses: Array<Filter<OrderDocument>> = []
  if (q.status !== undefined) clauses.push({ status: q.status })
  if (q.sessionId !== undefined) clauses.push({ "payment.sessionId": q.sessionId })
  if (q.paymentIntentId !== undefined) clauses.push({ "payment.paymentIntentId": q.paymentIntentId })
  if (q.customerEmail !== undefined) clauses.push({ customerEmail: q.customerEmail })
  if (q.createdFrom !== undefined) clauses.push({ createdAt: { $gte: q.createdFrom } })
  if (q.createdBefore !== undefined) clauses.push({ createdAt: { $lt: q.createdBefore } })
  if (q.stuckPaidBefore !== undefined) {
    // The runbook's stuck paid orders query, verbatim but for the instant.
    clauses.push({ status: "paid", "webhook.processedAt": null, updatedAt: { $lt: q.stuckPaidBefore } })
  }
  if (q.invoiceStatus !== undefined) clauses.push({ "invoice.status": q.invoiceStatus })
  if (q.after !== undefined) {
    const { createdAt, id } = q.after
    clauses.push({ $or: [{ createdAt: { $lt: createdAt } }, { createdAt, _id: { $lt: id } }] })
  }
  return clauses.length === 0 ? {} : { $and: clauses }
}

export const make: Effect.Effect<OrderRepository, never, MongoDatabase> = Effect.gen(function* () {
  const { db } = yield* MongoDatabase
  const orders = db.collection<OrderDocument>(COLLECTION)

  const findOne = (what: string, filter: Filter<OrderDocument>) =>
    mongoRead(COLLECTION, what, () => orders.findOne(filter)).pipe(
      Effect.flatMap((doc) => (doc === null ? Effect.succeedNone : Effect.asSome(decode(doc)))),
    )

  const findMany = (what: string, filter: Filter<OrderDocument>, sort: Sort, limit: number) =>
    limit < 1
      ? Effect.succeed<ReadonlyArray<Order>>([])
      : mongoRead(COLLECTION, what, () =>
          orders.find(filter).sort(sort).limit(Math.floor(limit)).toArray(),
        ).pipe(Effect.flatMap((docs) => Effect.forEach(docs, decode)))

  /**
   * One conditional single-document write: the condition is the filter, so the server applies the
   * update only to a document still matching it. None when nothing matched. An update that would
   * take another order's sessionId fails like any store error (the port gives it no DuplicateKey).
   */
  const update = (what: string, filter: Filter<OrderDocument>, change: UpdateFilter<OrderDocument>) =>
    mongoRead(COLLECTION, what, () =>
      orders.findOneAndUpdate(filter, change, { returnDocument: "after" }),
    ).pipe(Effect.flatMap((doc) => (doc === null ? Effect.succeedNone : Effect.asSome(decode(doc)))))

  /**
   * Set a refund's gateway id. FerretDB v1 has neither the positional `refunds.$` update nor $elemMatch
   * with field conditions, so the refund's index is read first and `refunds.<i>` written conditionally
   * on that element still having this id and no gateway id: that write is the single atomic
   * compare-and-set. A released refund shifts the ones after it, so a write that missed while the
   * refund is still there unset aims again.
   */
  const aimAtRefund = (
    id: string,
    refundId: string,
    gatewayRefundId: string,
    at: Date,
    attemptsLeft: number,
  ): Effect.Effect<Option.Option<Order>, StoreError> =>
    findOne("setGatewayRefundId", { _id: id }).pipe(
      Effect.flatMap((found) => {
        const index = Option.match(found, {
          onNone: () => -1,
          onSome: (order) => order.refunds.findIndex((r) => r.id === refundId && r.gatewayRefundId === null),
        })
        if (index < 0) return Effect.succeedNone
        const element = `refunds.${index}`
        return update(
          "setGatewayRefundId",
          { _id: id, [`${element}.id`]: refundId, [`${element}.gatewayRefundId`]: null },
          { $set: { [`${element}.gatewayRefundId`]: gatewayRefundId, updatedAt: at }, $inc: { version: 1 } },
        ).pipe(
          Effect.flatMap((written) =>
            Option.isNone(written) && attemptsLeft > 1
              ? aimAtRefund(id, refundId, gatewayRefundId, at, attemptsLeft - 1)
              : Effect.succeed(written),
          ),
        )
      }),
    )

  const service: OrderRepository = {
    insert: (order) =>
      mongoCall(COLLECTION, "insert", () => orders.insertOne(encode(order))).pipe(Effect.asVoid),

    findById: (id) => findOne("findById", { _id: id }),

    findBySessionId: (sessionId) => findOne("findBySessionId", { "payment.sessionId": sessionId }),

    findByPaymentIntentId: (id) => findOne("findByPaymentIntentId", { "payment.paymentIntentId": id }),

    transition: (id, from, patch, at, expectedHoldEpoch, expected) =>
      update(
        "transition",
        {
          _id: id,
          status: { $in: [...from] },
          ...(expectedHoldEpoch === undefined ? {} : { holdEpoch: expectedHoldEpoch }),
          ...(expected === undefined
            ? {}
            : {
                "payment.sessionId": expected.sessionId,
                "totals.total": expected.total.amount,
                "totals.currency": expected.total.currency,
              }),
        },
        patchUpdate(patch, at),
      ),

    markFinalized: (id, at, eventId) => {
      const condition = { _id: id, status: "paid", "webhook.processedAt": null } as const
      const confirm = {
        status: "confirmed" as const,
        "webhook.processedAt": at,
        ...(eventId === null ? {} : { "webhook.lastEventId": eventId }),
        updatedAt: at,
      }
      // Only an unscheduled invoice is scheduled (an operator may have set it manual or none before).
      // A conditional $set cannot pick its value from the document without $expr, so this is two
      // conditional writes on disjoint invoice states: only finalization ever leaves "unscheduled" and
      // nothing returns to it, and both require processedAt null, so at most one of them ever applies.
      return update(
        "markFinalized",
        { ...condition, "invoice.status": "unscheduled" as const },
        {
          $set: { ...confirm, "invoice.status": "pending" as const, "invoice.nextAttemptAt": at },
          $inc: { version: 1 },
        },
      ).pipe(
        Effect.flatMap((scheduled) =>
          Option.isSome(scheduled)
            ? Effect.succeed(scheduled)
            : update(
                "markFinalized",
                { ...condition, "invoice.status": { $ne: "unscheduled" } },
                { $set: confirm, $inc: { version: 1 } },
              ),
        ),
      )
    },

    updateInvoice: (id, from, invoice, at, expectedAttempts) =>
      update(
        "updateInvoice",
        {
          _id: id,
          "invoice.status": { $in: [...from] },
          ...(expectedAttempts === undefined ? {} : { "invoice.attempts": expectedAttempts }),
        },
        {
          $set: { ...invoiceFields(invoice), updatedAt: at },
          $inc: { version: 1 },
        },
      ),

    appendRefund: (id, refund, captured, from, status, at) =>
      update(
        "appendRefund",
        {
          _id: id,
          status: { $in: [...from] },
          // "No refund with this id": FerretDB v1 matches `{"refunds.id": {$ne: id}}` (and $nin, $not)
          // against arrays that do contain it; $nor of the equality match means the same on MongoDB
          // and is right on FerretDB (probed in test/mongo/ferretdbLimits.test.ts).
          $nor: [{ "refunds.id": refund.id }],
          // Compared against a constant: the refund fits when what is already refunded leaves room.
          "payment.amountRefunded": { $lte: captured - refund.amount },
        },
        {
          $push: { refunds: refund },
          $inc: { "payment.amountRefunded": refund.amount, version: 1 },
          $set: { status, updatedAt: at },
        },
      ),

    setGatewayRefundId: (id, refundId, gatewayRefundId, at) =>
      aimAtRefund(id, refundId, gatewayRefundId, at, 3),

    releaseRefund: (id, refundId, expectedVersion, status, at) =>
      findOne("releaseRefund", { _id: id, version: expectedVersion }).pipe(
        Effect.flatMap((found) => {
          const refund = Option.getOrUndefined(found)?.refunds.find(
            (r) => r.id === refundId && r.gatewayRefundId === null,
          )
          if (Option.isNone(found) || refund === undefined) return Effect.succeedNone
          // Every write bumps the version, so the whole array written back is the one just read.
          return update(
            "releaseRefund",
            { _id: id, version: expectedVersion },
            {
              $set: {
                refunds: found.value.refunds.filter((r) => r.id !== refundId),
                status,
                "payment.amountRefunded": found.value.payment.amountRefunded - refund.amount,
                updatedAt: at,
              },
              $inc: { version: 1 },
            },
          )
        }),
      ),

    findExpiredPending: (now, limit) =>
      findMany("findExpiredPending", { status: "pending", expiresAt: { $lt: now } }, { expiresAt: 1 }, limit),

    findStale: (statuses, before, limit) =>
      findMany(
        "findStale",
        { status: { $in: [...statuses] }, updatedAt: { $lt: before } },
        { updatedAt: 1 },
        limit,
      ),

    findInvoicesDue: (now, limit) =>
      findMany(
        "findInvoicesDue",
        { "invoice.status": { $in: [...INVOICE_DUE] }, "invoice.nextAttemptAt": { $lte: now } },
        { "invoice.nextAttemptAt": 1 },
        limit,
      ),

    list: (query) => findMany("list", listFilter(query), { createdAt: -1, _id: -1 }, query.limit),

    // The runbook's own order-health queries, verbatim.
    health: () =>
      Effect.all({
        paidUnconfirmed: mongoRead(COLLECTION, "health", () =>
          orders.countDocuments({ status: "paid", "webhook.processedAt": null }),
        ),
        invoiceFailed: mongoRead(COLLECTION, "health", () =>
          orders.countDocuments({ "invoice.status": "failed" }),
        ),
      }),
  }
  return service
})

export const layer: Layer.Layer<OrderRepository, never, MongoDatabase> = Layer.effect(OrderRepository, make)
