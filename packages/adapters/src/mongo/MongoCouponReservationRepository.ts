import { CouponReservation, CouponReservationRepository } from "@settle/domain"
import { Effect, Layer } from "effect"
import type { Document, Filter } from "mongodb"
import { fromDocument } from "./documents.js"
import { MongoDatabase } from "./MongoDatabase.js"
import { mongoCall, mongoRead } from "./mongoCall.js"

const COLLECTION = "couponreservations"

/** A reservation as stored: the domain's fields plus the pair's `_id`. */
type ReservationDocument = CouponReservation & { readonly _id: string }

/**
 * A reservation has no id of its own; `_id` is the pair, joined with "/" because ids may contain ":"
 * but never "/" (so two pairs cannot map to one `_id`). Queries still use `couponId` and `orderId`,
 * which the unique index `couponId_orderId_unique` serves, so a record written by hand with another
 * `_id` is found too.
 */
const pairId = (couponId: string, orderId: string): string => `${couponId}/${orderId}`

/** The runbook's leak query, verbatim: reserved and past expiresAt. */
const leaked = (now: Date): Filter<ReservationDocument> => ({ status: "reserved", expiresAt: { $lt: now } })

/** The operator's record of coupon holds in `couponreservations`, where the runbook's leak queries run. */
export const make: Effect.Effect<CouponReservationRepository, never, MongoDatabase> = Effect.map(
  MongoDatabase,
  ({ db }) => {
    const reservations = db.collection<ReservationDocument>(COLLECTION)
    const decode = fromDocument(CouponReservation, COLLECTION, null)
    const decodeOne = (doc: Document | null) =>
      doc === null ? Effect.succeedNone : Effect.asSome(decode(doc))
    const decodeAll = (docs: ReadonlyArray<Document>) => Effect.forEach(docs, decode)

    const service: CouponReservationRepository = {
      insert: (reservation) =>
        Effect.asVoid(
          mongoCall(COLLECTION, "insertOne", () =>
            reservations.insertOne({
              _id: pairId(reservation.couponId, reservation.orderId),
              ...reservation,
            }),
          ),
        ),

      find: (couponId, orderId) =>
        mongoRead(COLLECTION, "findOne", () => reservations.findOne({ couponId, orderId })).pipe(
          Effect.flatMap(decodeOne),
        ),

      transition: (couponId, orderId, from, to, at, expiresAt) =>
        mongoRead(COLLECTION, "findOneAndUpdate", () =>
          reservations.findOneAndUpdate(
            { couponId, orderId, status: { $in: [...from] } },
            { $set: { status: to, updatedAt: at, ...(expiresAt !== undefined && { expiresAt }) } },
            { returnDocument: "after" },
          ),
        ).pipe(Effect.flatMap(decodeOne)),

      findLeaked: (now, limit) =>
        // The driver reads limit 0 as "no limit"; the port means none at all.
        limit <= 0
          ? Effect.succeed([])
          : mongoRead(COLLECTION, "find", () =>
              reservations
                .find(leaked(now))
                .sort({ expiresAt: 1, _id: 1 })
                .limit(Math.floor(limit))
                .toArray(),
            ).pipe(Effect.flatMap(decodeAll)),

      countLeaked: (now) =>
        mongoRead(COLLECTION, "countDocuments", () => reservations.countDocuments(leaked(now))),

      listByCoupon: (couponId, status) =>
        mongoRead(COLLECTION, "find", () =>
          reservations.find({ couponId, status }).sort({ createdAt: 1, _id: 1 }).toArray(),
        ).pipe(Effect.flatMap(decodeAll)),
    }
    return service
  },
)

export const layer: Layer.Layer<CouponReservationRepository, never, MongoDatabase> = Layer.effect(
  CouponReservationRepository,
  make,
)
