import {
  type CommitOutcome,
  Coupon,
  CouponRepository,
  CouponSummary,
  CouponTerms,
  type HoldOutcome,
  type ReleaseOutcome,
} from "@settle/domain"
import { Effect, Layer } from "effect"
import { fromDocument } from "./documents.js"
import { type HolderDocument, missedHold, settleHold } from "./holds.js"
import { COUPON_TERMS, WITHOUT_HOLDS } from "./listingReads.js"
import { MongoDatabase } from "./MongoDatabase.js"
import { mongoCall, mongoRead } from "./mongoCall.js"
import { makePlaces, type PlaceBook } from "./places.js"

const COLLECTION = "coupons"
export const PLACES_COLLECTION = "couponplaces"
const COUNTERS = { available: "available", reserved: "reservedCount", settled: "redeemedCount" }
// The terms, and whether the coupon keeps its capacity in places (so its holds go there first).
const TERMS_READ = { projection: { ...COUPON_TERMS.projection, "places.unplaced": 1 } }

/** A coupon as stored: the domain's fields, its id as `_id`. */
type CouponDocument = Omit<Coupon, "id"> & { readonly _id: string; readonly places?: PlaceBook }

/**
 * Coupons in `coupons`, with `available`, `reservedCount`, `redeemedCount` and `holds[]` on the same
 * document, so each capacity move is one conditional write (DESIGN §4, docs/architecture.md). A coupon
 * created with more redemptions than a document takes (`unitsPerPlace`) keeps them in places
 * (`couponplaces`, places.ts), each place a document of the same shape, and reads add them up.
 */
export const make: Effect.Effect<CouponRepository, never, MongoDatabase> = Effect.map(
  MongoDatabase,
  ({ db, unitsPerPlace }) => {
    const coupons = db.collection<CouponDocument>(COLLECTION)
    const holders = db.collection<HolderDocument>(COLLECTION)
    const decode = fromDocument(Coupon, COLLECTION)
    const decodeTerms = fromDocument(CouponTerms, COLLECTION)
    const places = makePlaces({
      db,
      collection: PLACES_COLLECTION,
      owners: COLLECTION,
      paths: COUNTERS,
      unitsPerPlace,
    })
    const decodeAll = places.decodeAll(decode)
    const decodeOne = places.decodeOne(decode)
    const decodeSummary = fromDocument(CouponSummary, COLLECTION)
    const decodeSummaries = places.decodeAll(decodeSummary, false)
    const decodeSummaryOne = places.decodeOne(decodeSummary, false)
    const { learn, inPlaces } = places

    /**
     * A hold in places: a place does not know whether its coupon is active, so that is read first (a
     * deactivation that lands between the read and the hold lets that one hold through).
     */
    const holdInPlaces = (id: string, key: string, orderId: string, at: Date) =>
      Effect.gen(function* () {
        const terms = yield* mongoRead(COLLECTION, "findOne", () =>
          coupons.findOne({ _id: id }, { projection: { active: 1 } }),
        )
        if (terms === null) return "not_found" satisfies HoldOutcome
        if (terms.active !== true) return "insufficient" satisfies HoldOutcome
        return yield* places.hold(id, key, orderId, 1, at)
      })

    const service: CouponRepository = {
      insert: (coupon) =>
        Effect.asVoid(
          mongoCall(COLLECTION, "insertOne", () => {
            const { id, ...fields } = coupon
            const book =
              coupon.holds.length === 0 && coupon.reservedCount === 0
                ? places.bookFor(coupon.available)
                : undefined
            return coupons
              .insertOne(
                book === undefined
                  ? { _id: id, ...fields }
                  : { _id: id, ...fields, available: 0, places: book },
              )
              .then((result) => {
                if (book !== undefined) learn({ _id: id, places: book })
                return result
              })
          }),
        ),

      findById: (id) =>
        mongoRead(COLLECTION, "findOne", () => coupons.findOne({ _id: id })).pipe(Effect.flatMap(decodeOne)),

      // Neither the document's holds nor its places' leave the server.
      findSummary: (id) =>
        mongoRead(COLLECTION, "findOne", () => coupons.findOne({ _id: id }, WITHOUT_HOLDS)).pipe(
          Effect.flatMap(decodeSummaryOne),
        ),

      findByCode: (code) =>
        mongoRead(COLLECTION, "findOne", () => coupons.findOne({ code }, TERMS_READ)).pipe(
          Effect.flatMap((doc) => {
            if (doc === null) return Effect.succeedNone
            learn(doc)
            return Effect.asSome(decodeTerms(doc))
          }),
        ),

      list: () =>
        mongoRead(COLLECTION, "find", () => coupons.find({}).sort({ code: 1 }).toArray()).pipe(
          Effect.flatMap(decodeAll),
        ),

      // Served by the unique code index: the range past `after`, in its order, stops at `limit`.
      listPage: ({ after, limit }) =>
        mongoRead(COLLECTION, "find", () =>
          coupons
            .find(after === undefined ? {} : { code: { $gt: after } }, WITHOUT_HOLDS)
            .sort({ code: 1 })
            .limit(limit)
            .toArray(),
        ).pipe(Effect.flatMap(decodeSummaries)),

      // A coupon's version is its document's plus its places' (see MongoProductCatalog's update).
      update: (id, expectedVersion, changes, at) =>
        Effect.flatMap(places.placesVersion(id), (inPlacesVersion) =>
          mongoRead(COLLECTION, "findOneAndUpdate", () =>
            coupons.findOneAndUpdate(
              { _id: id, version: expectedVersion - inPlacesVersion },
              {
                $set: {
                  ...(changes.active !== undefined && { active: changes.active }),
                  // null is a value here: it clears the expiry.
                  ...(changes.expiresAt !== undefined && { expiresAt: changes.expiresAt }),
                  updatedAt: at,
                },
                $inc: { version: 1 },
              },
              // No projection: FerretDB v1 has none on findAndModify. The summary's decoding drops the holds.
              { returnDocument: "after" },
            ),
          ),
        ).pipe(Effect.flatMap(decodeSummaryOne)),

      hold: (id, key, orderId, at) =>
        Effect.gen(function* () {
          if (places.known(id)) return yield* holdInPlaces(id, key, orderId, at)
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
          return yield* missedHold(holders, decode, id, key, places, () => holdInPlaces(id, key, orderId, at))
        }),

      // A coupon hold is always of one redemption, so a place settles it in one write.
      redeemHold: (id, key, at) =>
        places
          .whereHeld(
            id,
            settleHold(holders, decode, id, key, at, (q) => ({ reservedCount: -q, redeemedCount: q })),
            () => places.settleKnown(id, key, 1, at),
          )
          .pipe(Effect.map((moved): CommitOutcome => (moved ? "committed" : "not_held"))),

      releaseHold: (id, key, at) =>
        places
          .whereHeld(
            id,
            settleHold(holders, decode, id, key, at, (q) => ({ reservedCount: -q, available: q })),
            () => places.release(id, key, at),
          )
          .pipe(Effect.map((moved): ReleaseOutcome => (moved ? "released" : "not_held"))),

      recount: (id, expectedVersion, at) =>
        Effect.gen(function* () {
          const doc = yield* mongoRead(COLLECTION, "findOne", () => coupons.findOne({ _id: id }))
          if (doc === null) return yield* Effect.succeedNone
          const [assembled] = yield* places.assemble([doc])
          const coupon = yield* decode(assembled ?? doc)
          // Counters computed from holds of another version would be wrong; the write below is
          // conditional on the same version, and every capacity move bumps it.
          if (coupon.version !== expectedVersion) return yield* Effect.succeedNone
          if (yield* inPlaces(id)) {
            // Each place's counters from its own holds, each write on the place's own version.
            yield* places.recount(id, at)
            return yield* service.findById(id)
          }
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
