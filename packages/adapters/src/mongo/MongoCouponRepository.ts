import {
  type CommitOutcome,
  Coupon,
  CouponRepository,
  CouponTerms,
  type HoldOutcome,
  type ReleaseOutcome,
} from "@settle/domain"
import { Effect, Layer } from "effect"
import type { Document } from "mongodb"
import { fromDocument } from "./documents.js"
import { type HolderDocument, missedHold, settleHold } from "./holds.js"
import { COUPON_TERMS } from "./listingReads.js"
import { MongoDatabase } from "./MongoDatabase.js"
import { mongoCall, mongoRead } from "./mongoCall.js"

const COLLECTION = "coupons"

/** A coupon as stored: the domain's fields, its id as `_id`. */
type CouponDocument = Omit<Coupon, "id"> & { readonly _id: string }

/**
 * Coupons in `coupons`, with `available`, `reservedCount`, `redeemedCount` and `holds[]` on the same
 * document, so each capacity move is one conditional write (DESIGN §4, docs/architecture.md).
 */
export const make: Effect.Effect<CouponRepository, never, MongoDatabase> = Effect.map(
  MongoDatabase,
  ({ db }) => {
    const coupons = db.collection<CouponDocument>(COLLECTION)
    const holders = db.collection<HolderDocument>(COLLECTION)
    const decode = fromDocument(Coupon, COLLECTION)
    const decodeOne = (doc: Document | null) =>
      doc === null ? Effect.succeedNone : Effect.asSome(decode(doc))
    const decodeTerms = fromDocument(CouponTerms, COLLECTION)

    const service: CouponRepository = {
      insert: (coupon) =>
        Effect.asVoid(
          mongoCall(COLLECTION, "insertOne", () => {
            const { id, ...fields } = coupon
            return coupons.insertOne({ _id: id, ...fields })
          }),
        ),

      findById: (id) =>
        mongoRead(COLLECTION, "findOne", () => coupons.findOne({ _id: id })).pipe(Effect.flatMap(decodeOne)),

      findByCode: (code) =>
        mongoRead(COLLECTION, "findOne", () => coupons.findOne({ code }, COUPON_TERMS)).pipe(
          Effect.flatMap((doc) => (doc === null ? Effect.succeedNone : Effect.asSome(decodeTerms(doc)))),
        ),

      list: () =>
        mongoRead(COLLECTION, "find", () => coupons.find({}).sort({ code: 1 }).toArray()).pipe(
          Effect.flatMap((docs) => Effect.forEach(docs, decode)),
        ),

      // Served by the unique code index: the range past `after`, in its order, stops at `limit`.
      listPage: ({ after, limit }) =>
        mongoRead(COLLECTION, "find", () =>
          coupons
            .find(after === undefined ? {} : { code: { $gt: after } })
            .sort({ code: 1 })
            .limit(limit)
            .toArray(),
        ).pipe(Effect.flatMap((docs) => Effect.forEach(docs, decode))),

      update: (id, expectedVersion, changes, at) =>
        mongoRead(COLLECTION, "findOneAndUpdate", () =>
          coupons.findOneAndUpdate(
            { _id: id, version: expectedVersion },
            {
              $set: {
                ...(changes.active !== undefined && { active: changes.active }),
                // null is a value here: it clears the expiry.
                ...(changes.expiresAt !== undefined && { expiresAt: changes.expiresAt }),
                updatedAt: at,
              },
              $inc: { version: 1 },
            },
            { returnDocument: "after" },
          ),
        ).pipe(Effect.flatMap(decodeOne)),

      hold: (id, key, orderId, at) =>
        Effect.gen(function* () {
          // `available > 0` against a constant (DESIGN §4: no $expr), and the key must not hold yet
          // ($nor, not $ne: see MongoProductCatalog's hold).
          const result = yield* mongoRead(COLLECTION, "updateOne", () =>
            coupons.updateOne(
              { _id: id, active: true, available: { $gt: 0 }, $nor: [{ "holds.key": key }] },
              {
                $inc: { available: -1, reservedCount: 1, version: 1 },
                $push: { holds: { key, orderId, quantity: 1, at } },
                $set: { updatedAt: at },
              },
            ),
          )
          if (result.modifiedCount === 1) return "held" satisfies HoldOutcome
          return yield* missedHold(holders, decode, id, key)
        }),

      redeemHold: (id, key, at) =>
        settleHold(holders, decode, id, key, at, (q) => ({ reservedCount: -q, redeemedCount: q })).pipe(
          Effect.map((moved): CommitOutcome => (moved ? "committed" : "not_held")),
        ),

      releaseHold: (id, key, at) =>
        settleHold(holders, decode, id, key, at, (q) => ({ reservedCount: -q, available: q })).pipe(
          Effect.map((moved): ReleaseOutcome => (moved ? "released" : "not_held")),
        ),

      recount: (id, expectedVersion, at) =>
        Effect.gen(function* () {
          const doc = yield* mongoRead(COLLECTION, "findOne", () => coupons.findOne({ _id: id }))
          if (doc === null) return yield* Effect.succeedNone
          const coupon = yield* decode(doc)
          // Counters computed from holds of another version would be wrong; the write below is
          // conditional on the same version, and every capacity move bumps it.
          if (coupon.version !== expectedVersion) return yield* Effect.succeedNone
          const reservedCount = coupon.holds.reduce((sum, h) => sum + h.quantity, 0)
          const available = Math.max(0, coupon.maxRedemptions - reservedCount - coupon.redeemedCount)
          const written = yield* mongoRead(COLLECTION, "findOneAndUpdate", () =>
            coupons.findOneAndUpdate(
              { _id: id, version: expectedVersion },
              { $set: { reservedCount, available, updatedAt: at }, $inc: { version: 1 } },
              { returnDocument: "after" },
            ),
          )
          return yield* decodeOne(written)
        }),
    }
    return service
  },
)

export const layer: Layer.Layer<CouponRepository, never, MongoDatabase> = Layer.effect(CouponRepository, make)
