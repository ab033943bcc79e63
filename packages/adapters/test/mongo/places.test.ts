import { CouponRepository, OrderId, ProductCatalog } from "@settle/domain"
import { aCoupon, aProduct } from "@settle/testkit/fixtures"
import { Effect, Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import * as MongoCouponRepository from "../../src/mongo/MongoCouponRepository.js"
import { MongoDatabase } from "../../src/mongo/MongoDatabase.js"
import * as MongoProductCatalog from "../../src/mongo/MongoProductCatalog.js"
import { makePlaces, placeId } from "../../src/mongo/places.js"
import { freshDatabaseWith, onFerretDB } from "../support/mongoStorage.js"

/**
 * What the contract suites cannot see of places (issue 13): where the units and holds are stored, a
 * crash between the two writes of an opening or a top-up, and a process that did not create the owner.
 */
const UNITS = 3
const database = freshDatabaseWith({ maxPoolSize: 10, unitsPerPlace: UNITS })
const adapters = Layer.mergeAll(MongoProductCatalog.layer, MongoCouponRepository.layer)
const layer = adapters.pipe(Layer.provideMerge(database))

const run = <A, E>(program: Effect.Effect<A, E, ProductCatalog | CouponRepository | MongoDatabase>) =>
  Effect.runPromise(Effect.provide(program, layer))

const at = new Date("2026-12-02T12:00:00Z")
const order = (n: number) => OrderId.make(`ord_${n}`)

describe.skipIf(onFerretDB())(`places of ${UNITS} units (FerretDB keeps one document per owner)`, () => {
  it("stores a large owner's units in places that each hold at most their units, opened as holds need them", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase
        const catalog = yield* ProductCatalog
        const product = aProduct({ stock: { available: 8, reserved: 0, committed: 0 } })
        yield* catalog.insert(product)
        const owner = yield* Effect.promise(() =>
          db.collection("products").findOne({ _id: product.id as never }),
        )
        expect(owner?.stock).toEqual({ available: 0, reserved: 0, committed: 0 })
        expect(owner?.places).toEqual({ unplaced: 8, shares: [], back: {} })
        for (const n of [0, 1, 2, 3]) {
          expect(yield* catalog.hold(product.id, `k/${n}`, order(n), 1, at)).toBe("held")
        }
        const places = yield* Effect.promise(() =>
          db.collection("productplaces").find({ owner: product.id }).sort({ n: 1 }).toArray(),
        )
        expect(places.map((p) => [p._id, p.units, p.stock, p.holds.length])).toEqual([
          [placeId(product.id, 0), 3, { available: 0, reserved: 3, committed: 0 }, 3],
          [placeId(product.id, 1), 3, { available: 2, reserved: 1, committed: 0 }, 1],
        ])
        const read = Option.getOrThrow(yield* catalog.findById(product.id))
        expect(read.stock).toEqual({ available: 4, reserved: 4, committed: 0 })
        expect(read.holds.map((h) => h.key)).toEqual(["k/0", "k/1", "k/2", "k/3"])
      }),
    ))

  it("keeps one hold per key across an owner's places: a retry into another place is already_held", () =>
    run(
      Effect.gen(function* () {
        const catalog = yield* ProductCatalog
        const product = aProduct({ stock: { available: 9, reserved: 0, committed: 0 } })
        yield* catalog.insert(product)
        expect(yield* catalog.hold(product.id, "k/0", order(0), 3, at)).toBe("held")
        // The first place is full, so the retry's write lands on the second; the unique slot refuses it.
        expect(yield* catalog.hold(product.id, "k/0", order(0), 3, at)).toBe("already_held")
        expect(yield* catalog.hold(product.id, "k/0", order(0), 1, at)).toBe("already_held")
        expect(Option.getOrThrow(yield* catalog.findById(product.id)).stock).toEqual({
          available: 6,
          reserved: 3,
          committed: 0,
        })
      }),
    ))

  it("completes a place whose opening crashed after its record: its units are counted and then held", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase
        const coupons = yield* CouponRepository
        const coupon = aCoupon({ maxRedemptions: 5, available: 5 })
        yield* coupons.insert(coupon)
        // The first write of an opening, alone: the owner records place 0, the process dies.
        yield* Effect.promise(() =>
          db.collection("coupons").updateOne(
            { _id: coupon.id as never },
            // The driver's types know no dotted paths into an untyped document.
            { $inc: { "places.unplaced": -3 }, $push: { "places.shares": 3 } } as never,
          ),
        )
        expect(Option.getOrThrow(yield* coupons.findById(coupon.id)).available).toBe(5)
        for (const n of [0, 1, 2, 3, 4]) {
          expect(yield* coupons.hold(coupon.id, `k/${n}`, order(n), at)).toBe("held")
        }
        expect(yield* coupons.hold(coupon.id, "k/5", order(5), at)).toBe("insufficient")
        const read = Option.getOrThrow(yield* coupons.findById(coupon.id))
        expect([read.available, read.reservedCount, read.redeemedCount]).toEqual([0, 5, 0])
      }),
    ))

  it("tops a place up from the unplaced units for a hold no place nor the rest alone can take, and completes a crashed top-up", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase
        const catalog = yield* ProductCatalog
        const product = aProduct({ stock: { available: 7, reserved: 0, committed: 0 } })
        yield* catalog.insert(product)
        expect(yield* catalog.hold(product.id, "k/0", order(0), 2, at)).toBe("held")
        expect(yield* catalog.hold(product.id, "k/1", order(1), 3, at)).toBe("held")
        // Place 0 has 1 unit left and 1 is unplaced: a hold of 2 needs both.
        expect(yield* catalog.hold(product.id, "k/2", order(2), 2, at)).toBe("held")
        expect(Option.getOrThrow(yield* catalog.findById(product.id)).stock.available).toBe(0)
        yield* catalog.releaseHold(product.id, "k/2", at)
        const other = aProduct({ stock: { available: 4, reserved: 0, committed: 0 } })
        yield* catalog.insert(other)
        expect(yield* catalog.hold(other.id, "k/0", order(0), 2, at)).toBe("held")
        // The first write of a top-up, alone: the owner grants place 0 its last unit, the process dies.
        yield* Effect.promise(() =>
          db
            .collection("products")
            .updateOne({ _id: other.id as never }, { $inc: { "places.unplaced": -1, "places.shares.0": 1 } }),
        )
        expect(Option.getOrThrow(yield* catalog.findById(other.id)).stock).toEqual({
          available: 2,
          reserved: 2,
          committed: 0,
        })
        expect(yield* catalog.hold(other.id, "k/1", order(1), 2, at)).toBe("held")
        expect(Option.getOrThrow(yield* catalog.findById(other.id)).stock.available).toBe(0)
      }),
    ))

  it("gathers units left over in several places for a hold none of them can take alone", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase
        const catalog = yield* ProductCatalog
        const product = aProduct({ stock: { available: 6, reserved: 0, committed: 0 } })
        yield* catalog.insert(product)
        expect(yield* catalog.hold(product.id, "k/0", order(0), 2, at)).toBe("held")
        expect(yield* catalog.hold(product.id, "k/1", order(1), 2, at)).toBe("held")
        // One unit left in each of two places, none unplaced: a hold of 2 needs both.
        expect(yield* catalog.hold(product.id, "k/2", order(2), 2, at)).toBe("held")
        expect(yield* catalog.hold(product.id, "k/3", order(3), 1, at)).toBe("insufficient")
        const read = Option.getOrThrow(yield* catalog.findById(product.id))
        expect(read.stock).toEqual({ available: 0, reserved: 6, committed: 0 })
        const places = yield* Effect.promise(() =>
          db.collection("productplaces").find({ owner: product.id }).sort({ n: 1 }).toArray(),
        )
        // Place 1 gave its unit back, place 0 took it in a top-up: units stay accounted for per place.
        expect(places.map((p) => [p.units, p.returned, p.stock])).toEqual([
          [4, 0, { available: 0, reserved: 4, committed: 0 }],
          [3, 1, { available: 0, reserved: 2, committed: 0 }],
        ])
      }),
    ))

  it("counts units a place gave back before its owner received them, and receives them on the next miss", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase
        const coupons = yield* CouponRepository
        const coupon = aCoupon({ maxRedemptions: 4, available: 4 })
        yield* coupons.insert(coupon)
        expect(yield* coupons.hold(coupon.id, "k/0", order(0), at)).toBe("held")
        // The first write of a give-back, alone: place 0 returns its 2 free units, the process dies.
        yield* Effect.promise(() =>
          db
            .collection("couponplaces")
            .updateOne({ _id: placeId(coupon.id, 0) as never }, { $inc: { available: -2, returned: 2 } }),
        )
        expect(Option.getOrThrow(yield* coupons.findById(coupon.id)).available).toBe(3)
        for (const n of [1, 2, 3]) expect(yield* coupons.hold(coupon.id, `k/${n}`, order(n), at)).toBe("held")
        expect(yield* coupons.hold(coupon.id, "k/4", order(4), at)).toBe("insufficient")
        const read = Option.getOrThrow(yield* coupons.findById(coupon.id))
        expect([read.available, read.reservedCount, read.redeemedCount]).toEqual([0, 4, 0])
      }),
    ))

  it("adds up an owner read before a top-up and its places read after it without counting the units twice", () =>
    run(
      Effect.gen(function* () {
        const { db } = yield* MongoDatabase
        const catalog = yield* ProductCatalog
        const product = aProduct({ stock: { available: 4, reserved: 0, committed: 0 } })
        yield* catalog.insert(product)
        expect(yield* catalog.hold(product.id, "k/0", order(0), 2, at)).toBe("held")
        // A read of the owner (place 0 of 3 units, 1 unplaced), then a hold that tops place 0 up with
        // that unit, then the read of the places: what findById does when the two interleave.
        const before = yield* Effect.promise(() =>
          db.collection("products").findOne({ _id: product.id as never }),
        )
        expect(yield* catalog.hold(product.id, "k/1", order(1), 2, at)).toBe("held")
        const places = makePlaces({
          db,
          collection: "productplaces",
          owners: "products",
          paths: { available: "stock.available", reserved: "stock.reserved", settled: "stock.committed" },
          unitsPerPlace: UNITS,
        })
        const [summed] = yield* places.assemble(before === null ? [] : [before])
        expect(summed?.stock).toEqual({ available: 0, reserved: 4, committed: 0 })
      }),
    ))

  it("finds the places of an owner another process created: commit, release and hold learn it from the store", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const context = yield* Layer.build(database)
        const first = yield* Effect.provide(
          ProductCatalog,
          Layer.provide(adapters, Layer.succeedContext(context)),
        )
        const second = yield* Effect.provide(
          ProductCatalog,
          Layer.provide(adapters, Layer.succeedContext(context)),
        )
        const product = aProduct({ stock: { available: 6, reserved: 0, committed: 0 } })
        yield* first.insert(product)
        expect(yield* first.hold(product.id, "k/0", order(0), 2, at)).toBe("held")
        expect(yield* first.hold(product.id, "k/1", order(1), 1, at)).toBe("held")
        expect(yield* second.commitHold(product.id, "k/0", at, 2)).toBe("committed")
        expect(yield* second.releaseHold(product.id, "k/1", at)).toBe("released")
        expect(yield* second.hold(product.id, "k/2", order(2), 4, at)).toBe("held")
        expect(yield* second.restock(product.id, 2, at)).toBe(true)
        expect(Option.getOrThrow(yield* first.findById(product.id)).stock).toEqual({
          available: 2,
          reserved: 4,
          committed: 0,
        })
      }).pipe(Effect.scoped),
    ))
})
