import { Coupon, type CouponRepository, CouponTerms, type HoldOutcome, type StoreError } from "@settle/domain"
import { Effect, Option } from "effect"
import type { Db, Document } from "mongodb"
import { fromDocument } from "../documents.js"
import { COUPON_TERMS } from "../listingReads.js"
import { mongoCall, mongoRead } from "../mongoCall.js"
import type { ServerTraits } from "../serverTraits.js"
import { bucketId, bucketOf } from "./bucketOf.js"
import { make as makeBuckets } from "./CapacityBuckets.js"
import type { CapacityLayout } from "./CapacityLayout.js"
import type { CapacityCounters } from "./counters.js"

const COLLECTION = "coupons"

/** Coupons' redemptions: the coupon's `available` is the pool, its buckets in `couponbuckets`. */
export const REDEMPTIONS: CapacityLayout = {
  owners: COLLECTION,
  pool: "available",
  reserved: "reservedCount",
  committed: "redeemedCount",
  buckets: "couponbuckets",
  bucketCount: 1024,
  // A coupon hold is one unit: smaller chunks leave fewer units parked in quiet buckets.
  chunk: 16,
}

/** Reads of a coupon whose buckets keep moving before a recount gives up for this run. */
const RECOUNT_ROUNDS = 5

const WITHOUT_HOLDS = { projection: { holds: 0 } } as const

/**
 * A coupon as decoded from its own document, with the counters, version and time its buckets add up
 * to. Decoding the stored document first keeps a hand edit gone wrong a StoreError.
 */
const summed = (coupon: Coupon, c: CapacityCounters): Coupon => ({
  ...coupon,
  available: c.available,
  reservedCount: c.reserved,
  redeemedCount: c.committed,
  version: c.version,
  updatedAt: c.updatedAt ?? coupon.updatedAt,
})

/**
 * The coupons on a server that applies each conditional write atomically: a coupon's redemptions
 * spread over its document and hashed buckets with their own holds (issue 13).
 */
export const bucketedCouponRepository = (
  db: Db,
  traits: ServerTraits,
  layout: CapacityLayout = REDEMPTIONS,
): CouponRepository => {
  const coupons = db.collection<Document & { _id: string }>(COLLECTION)
  const buckets = makeBuckets(db, traits, layout)
  const bucketDocs = db.collection<Document & { _id: string }>(layout.buckets)
  const decode = fromDocument(Coupon, COLLECTION)
  const decodeTerms = fromDocument(CouponTerms, COLLECTION)

  const full = (doc: Document): Effect.Effect<Coupon, StoreError> =>
    Effect.zipWith(decode(doc), buckets.totals(doc._id), (coupon, totals) =>
      Option.match(totals, {
        onNone: () => coupon,
        onSome: (t) => ({ ...summed(coupon, t), holds: t.holds }),
      }),
    )
  const fullOne = (doc: Document | null) => (doc === null ? Effect.succeedNone : Effect.asSome(full(doc)))

  /** Whether `key` holds on this coupon: in its bucket, or on the coupon from before the buckets. */
  const holding = (id: string, key: string) =>
    Effect.gen(function* () {
      const inBucket = yield* mongoRead(layout.buckets, "findOne", () =>
        bucketDocs.findOne(
          { _id: bucketId(id, bucketOf(key, layout.bucketCount)), "holds.key": key },
          { projection: { _id: 1 } },
        ),
      )
      if (inBucket !== null) return true
      const own = yield* mongoRead(COLLECTION, "findOne", () =>
        coupons.findOne({ _id: id, "holds.key": key }, { projection: { _id: 1 } }),
      )
      return own !== null
    })

  return {
    insert: (coupon) =>
      Effect.asVoid(
        mongoCall(COLLECTION, "insertOne", () => {
          const { id, ...fields } = coupon
          return coupons.insertOne({ _id: id, ...fields })
        }),
      ),

    findById: (id) =>
      mongoRead(COLLECTION, "findOne", () => coupons.findOne({ _id: id })).pipe(Effect.flatMap(fullOne)),

    // The coupon document alone: the terms have no counters, so none of the buckets is read (issue 13).
    findByCode: (code) =>
      mongoRead(COLLECTION, "findOne", () => coupons.findOne({ code }, COUPON_TERMS)).pipe(
        Effect.flatMap((doc) => (doc === null ? Effect.succeedNone : Effect.asSome(decodeTerms(doc)))),
      ),

    list: () =>
      mongoRead(COLLECTION, "find", () => coupons.find({}).sort({ code: 1 }).toArray()).pipe(
        Effect.flatMap((docs) => Effect.forEach(docs, full)),
      ),

    listPage: ({ after, limit }) =>
      mongoRead(COLLECTION, "find", () =>
        coupons
          .find(after === undefined ? {} : { code: { $gt: after } })
          .sort({ code: 1 })
          .limit(limit)
          .toArray(),
      ).pipe(Effect.flatMap((docs) => Effect.forEach(docs, full))),

    // The version is summed over the coupon and its buckets; the write is conditional on the coupon
    // document's own, as read, so of two updates on one version exactly one wins.
    update: (id, expectedVersion, changes, at) =>
      Effect.gen(function* () {
        const doc = yield* mongoRead(COLLECTION, "findOne", () => coupons.findOne({ _id: id }, WITHOUT_HOLDS))
        if (doc === null) return Option.none()
        const counters = (yield* buckets.counters([id])).get(id)
        if (counters === undefined || counters.version !== expectedVersion) return Option.none()
        const written = yield* mongoRead(COLLECTION, "findOneAndUpdate", () =>
          coupons.findOneAndUpdate(
            { _id: id, version: doc.version },
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
        )
        return yield* fullOne(written)
      }),

    // An inactive coupon grants nothing (the port), read from the coupon itself: the buckets do not
    // know it. A key already holding is already_held whatever the coupon's state, as before.
    hold: (id, key, orderId, at) =>
      Effect.gen(function* () {
        const coupon = yield* mongoRead(COLLECTION, "findOne", () =>
          coupons.findOne({ _id: id }, { projection: { active: 1 } }),
        )
        if (coupon === null) return "not_found" satisfies HoldOutcome
        if (yield* holding(id, key)) return "already_held" satisfies HoldOutcome
        if (coupon.active !== true) return "insufficient" satisfies HoldOutcome
        return yield* buckets.hold(id, key, orderId, 1, at)
      }),

    redeemHold: (id, key, at) =>
      Effect.map(buckets.settle(id, key, at, "commit", 1), (moved) => (moved ? "committed" : "not_held")),

    releaseHold: (id, key, at) =>
      Effect.map(buckets.settle(id, key, at, "release"), (moved) => (moved ? "released" : "not_held")),

    recount: (id, expectedVersion, at) =>
      Effect.gen(function* () {
        yield* buckets.repair(id)
        // The pool is written from sums over several documents: only sums of one instant will do (a
        // transfer between two buckets during the read could be counted twice or missed, and the
        // write's condition on the coupon's own version and moves would not see it). So the same
        // stamp before and after the read, or read again; a coupon that never holds still long
        // enough is left for the next run, as a lost compare-and-set is.
        for (let round = 0; round < RECOUNT_ROUNDS; round++) {
          const before = yield* buckets.stamp(id)
          const doc = yield* mongoRead(COLLECTION, "findOne", () => coupons.findOne({ _id: id }))
          if (doc === null) return Option.none()
          const coupon = yield* full(doc)
          if ((yield* buckets.stamp(id)) !== before) continue
          if (coupon.version !== expectedVersion) return Option.none()
          const own = yield* decode(doc)
          const ownReserved = own.holds.reduce((sum, h) => sum + h.quantity, 0)
          // Bucket counters move with their holds in the same write: drift, if any, is on the coupon's
          // own counters. Its pool is what the maximum leaves once everything else is counted.
          const elsewhere = {
            reserved: coupon.reservedCount - own.reservedCount,
            available: coupon.available - own.available,
          }
          const reservedCount = ownReserved
          const available = Math.max(
            0,
            coupon.maxRedemptions -
              coupon.redeemedCount -
              reservedCount -
              elsewhere.reserved -
              elsewhere.available,
          )
          const written = yield* mongoRead(COLLECTION, "findOneAndUpdate", () =>
            coupons.findOneAndUpdate(
              { _id: id, version: doc.version, moves: doc.moves ?? null },
              { $set: { reservedCount, available, updatedAt: at }, $inc: { version: 1 } },
              { returnDocument: "after" },
            ),
          )
          return yield* fullOne(written)
        }
        return Option.none()
      }),
  }
}
