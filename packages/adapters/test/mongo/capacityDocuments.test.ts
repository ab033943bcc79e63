import {
  CouponRepository,
  CouponReservationRepository,
  OrderId,
  ProductCatalog,
  ProductId,
  type StoreError,
} from "@settle/domain"
import { aCoupon, aProduct, aReservation } from "@settle/testkit/fixtures"
import { Effect, Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import * as MongoCouponRepository from "../../src/mongo/MongoCouponRepository.js"
import * as MongoCouponReservationRepository from "../../src/mongo/MongoCouponReservationRepository.js"
import { MongoDatabase } from "../../src/mongo/MongoDatabase.js"
import * as MongoProductCatalog from "../../src/mongo/MongoProductCatalog.js"
import { freshDatabase, onFerretDB } from "../support/mongoStorage.js"

/** What the contract suites cannot see: the stored shape operators query, and malformed documents. */
const layer = Layer.mergeAll(
  MongoProductCatalog.layer,
  MongoCouponRepository.layer,
  MongoCouponReservationRepository.layer,
).pipe(Layer.provideMerge(freshDatabase))

const run = <A, E>(
  program: Effect.Effect<
    A,
    E,
    ProductCatalog | CouponRepository | CouponReservationRepository | MongoDatabase
  >,
) => Effect.runPromise(Effect.provide(program, layer))

const tagOf = <A, R>(program: Effect.Effect<A, StoreError, R>) =>
  Effect.match(program, { onFailure: (error) => error._tag, onSuccess: () => "succeeded" })

const orderId = OrderId.make("ord_doc")

/** Any document with a string _id: what a hand edit in mongosh can leave behind. */
type HandWritten = { _id: string; [field: string]: unknown }

describe("capacity documents on the real store", () => {
  it("keeps the domain's field names, so the runbook's leak query works verbatim", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase
        const reservations = yield* CouponReservationRepository
        const now = Date.now()
        const leaked = aReservation({ expiresAt: new Date(now - 60_000) })
        yield* reservations.insert(leaked)
        yield* reservations.insert(aReservation({ expiresAt: new Date(now + 60_000) }))
        yield* reservations.insert(aReservation({ status: "redeemed", expiresAt: new Date(now - 60_000) }))
        // Runbook, "Coupon reservation leaks", as an operator would type it in mongosh.
        const runbook = yield* Effect.promise(() =>
          db
            .collection("couponreservations")
            .countDocuments({ status: "reserved", expiresAt: { $lt: new Date() } }),
        )
        expect(runbook).toBe(1)
        expect(yield* reservations.countLeaked(new Date())).toBe(runbook)
      }),
    ))

  it("stores counters and holds side by side under the domain's names, with the id as _id", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase
        const catalog = yield* ProductCatalog
        const coupons = yield* CouponRepository
        const product = aProduct({ stock: { available: 3, reserved: 0, committed: 0 } })
        const coupon = aCoupon({ maxRedemptions: 2, available: 2 })
        yield* catalog.insert(product)
        yield* coupons.insert(coupon)
        yield* catalog.hold(product.id, "ord_doc/0", orderId, 2, new Date())
        yield* coupons.hold(coupon.id, "ord_doc/0", orderId, new Date())
        const storedProduct = yield* Effect.promise(() =>
          db.collection("products").findOne({ _id: product.id }),
        )
        expect(storedProduct?.stock).toEqual({ available: 1, reserved: 2, committed: 0 })
        expect(storedProduct?.holds).toMatchObject([{ key: "ord_doc/0", orderId, quantity: 2 }])
        const storedCoupon = yield* Effect.promise(() => db.collection("coupons").findOne({ _id: coupon.id }))
        expect(storedCoupon).toMatchObject({ available: 1, reservedCount: 1, redeemedCount: 0, version: 1 })
        expect(storedCoupon?.holds).toHaveLength(1)
      }),
    ))

  // The contract suites repeat a hold on a document with that one hold only. With other keys holding
  // too, a filter of `"holds.key": { $ne: key }` still passes on FerretDB v1 (holdWriteForms.test.ts),
  // which would hold the key twice: the adapters write "no hold with this key" as $nor.
  it("answers already_held for a key that holds while other keys hold too, and takes nothing", () =>
    run(
      Effect.gen(function* () {
        const catalog = yield* ProductCatalog
        const coupons = yield* CouponRepository
        const product = aProduct({ stock: { available: 5, reserved: 0, committed: 0 } })
        const coupon = aCoupon({ maxRedemptions: 5, available: 5 })
        yield* catalog.insert(product)
        yield* coupons.insert(coupon)
        const at = new Date()
        for (const key of ["ord_a/0", "ord_b/0"]) {
          expect(yield* catalog.hold(product.id, key, orderId, 1, at)).toBe("held")
          expect(yield* coupons.hold(coupon.id, key, orderId, at)).toBe("held")
        }
        expect(yield* catalog.hold(product.id, "ord_a/0", orderId, 1, at)).toBe("already_held")
        expect(yield* coupons.hold(coupon.id, "ord_a/0", orderId, at)).toBe("already_held")
        const storedProduct = yield* catalog.findById(product.id)
        const storedCoupon = yield* coupons.findById(coupon.id)
        expect(Option.map(storedProduct, (p) => [p.stock.available, p.holds.length])).toEqual(
          Option.some([3, 2]),
        )
        expect(Option.map(storedCoupon, (c) => [c.available, c.holds.length])).toEqual(Option.some([3, 2]))
      }),
    ))

  it("answers a malformed document with StoreError on every path that reads it", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase
        const catalog = yield* ProductCatalog
        const coupons = yield* CouponRepository
        const reservations = yield* CouponReservationRepository
        const id = ProductId.make("prd_broken")
        // A hand edit gone wrong: a negative counter and a hold without a quantity.
        yield* Effect.promise(() =>
          db.collection<HandWritten>("products").insertOne({
            ...aProduct({ id }),
            _id: id,
            stock: { available: -1, reserved: 0, committed: 0 },
            holds: [{ key: "k/0", orderId }],
          }),
        )
        expect(yield* tagOf(catalog.findById(id))).toBe("StoreError")
        expect(yield* tagOf(catalog.list())).toBe("StoreError")
        // FerretDB's commit reads the hold first and decodes it; elsewhere the commit is one write whose
        // filter requires a well-formed hold of the key, so it matches nothing and moves nothing.
        if (onFerretDB())
          expect(yield* tagOf(catalog.commitHold(id, "k/0", new Date(), 1))).toBe("StoreError")
        else {
          expect(yield* catalog.commitHold(id, "k/0", new Date(), 1)).toBe("not_held")
          expect(
            (yield* Effect.promise(() => db.collection("products").findOne({ _id: id })))?.holds,
          ).toEqual([{ key: "k/0", orderId }])
        }
        const coupon = aCoupon()
        yield* Effect.promise(() =>
          db.collection<HandWritten>("coupons").insertOne({ ...coupon, _id: coupon.id, reservedCount: "1" }),
        )
        expect(yield* tagOf(coupons.findById(coupon.id))).toBe("StoreError")
        expect(yield* tagOf(coupons.recount(coupon.id, 0, new Date()))).toBe("StoreError")
        const reservation = aReservation()
        yield* Effect.promise(() =>
          db.collection("couponreservations").insertOne({ ...reservation, status: "lost" }),
        )
        expect(yield* tagOf(reservations.find(reservation.couponId, reservation.orderId))).toBe("StoreError")
      }),
    ))
})
