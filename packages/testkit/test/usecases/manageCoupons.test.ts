import {
  CouponCode,
  CouponId,
  CouponRepository,
  createCoupon,
  deactivateCoupon,
  getCoupon,
  listCoupons,
  updateCoupon,
} from "@settle/domain"
import { Effect, Option } from "effect"
import { describe, expect, it } from "vitest"
import { ClockControl } from "../../src/fakes/ControlledClock.js"
import { aCoupon, minute, summaryOf } from "../../src/fixtures.js"
import { auditTrail, checkout, insertProducts, mug, pendingCouponOrder, plate, run, T0 } from "./support.js"

const SPRING = {
  code: "SPRING",
  discount: { _tag: "percent", percent: 15 },
  maxRedemptions: 100,
  expiresAt: "2030-03-01T00:00:00Z",
}

const couponById = (id: string) =>
  Effect.flatMap(CouponRepository, (coupons) => coupons.findById(CouponId.make(id))).pipe(
    Effect.map(Option.getOrThrow),
  )

/** SAVE10 (from `pendingCouponOrder`), with one redemption held by a pending order. */
const heldCoupon = Effect.gen(function* () {
  yield* pendingCouponOrder
  const [coupon] = yield* listCoupons()
  if (coupon === undefined) return yield* Effect.dieMessage("no coupon")
  return coupon
})

describe("createCoupon", () => {
  it("creates the coupon with all of its redemptions available and audits it", () =>
    run(
      Effect.gen(function* () {
        const coupon = yield* createCoupon(SPRING, "alice@shop")
        expect(coupon).toMatchObject({
          id: "cpn_000001",
          code: "SPRING",
          discount: { _tag: "percent", percent: 15 },
          maxRedemptions: 100,
          available: 100,
          reservedCount: 0,
          redeemedCount: 0,
          holds: [],
          expiresAt: new Date("2030-03-01T00:00:00Z"),
          active: true,
          version: 0,
          createdAt: T0,
        })
        expect(yield* couponById(coupon.id)).toEqual(coupon)
        expect(yield* auditTrail).toMatchObject([
          {
            actor: "alice@shop",
            action: "coupon.create",
            orderId: null,
            before: null,
            after: { id: coupon.id, code: "SPRING", available: 100 },
          },
        ])
      }),
    ))

  it("takes an amount off, and no expiry", () =>
    run(
      Effect.gen(function* () {
        const discount = { _tag: "amount", amount: { amount: 500, currency: "EUR" } }
        const { expiresAt: _, ...rest } = SPRING
        const coupon = yield* createCoupon({ ...rest, discount }, "alice@shop")
        expect(coupon).toMatchObject({ discount, expiresAt: null })
      }),
    ))

  it("a coupon created inactive cannot be used at checkout", () =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(mug(), plate())
        yield* createCoupon({ ...SPRING, active: false }, "alice@shop")
        const refused = yield* Effect.flip(
          checkout([{ sku: "MUG-1", quantity: 1 }], { couponCode: "SPRING" }),
        )
        expect(refused).toMatchObject({ _tag: "CouponUnavailable", reason: "inactive" })
      }),
    ))

  it("surfaces a taken code as DuplicateKey and writes nothing", () =>
    run(
      Effect.gen(function* () {
        yield* (yield* CouponRepository).insert(aCoupon({ code: CouponCode.make("SPRING") }))
        const failure = yield* Effect.flip(createCoupon(SPRING, "alice@shop"))
        expect(failure).toMatchObject({ _tag: "DuplicateKey", entity: "coupons" })
        expect(yield* listCoupons()).toHaveLength(1)
        expect(yield* auditTrail).toEqual([])
      }),
    ))

  it.each([
    ["a percent over 100", { discount: { _tag: "percent", percent: 101 } }, "discount.percent"],
    [
      "a zero amount off",
      { discount: { _tag: "amount", amount: { amount: 0, currency: "EUR" } } },
      "discount.amount.amount",
    ],
    ["an unknown discount kind", { discount: { _tag: "free" } }, "discount._tag"],
    ["zero redemptions", { maxRedemptions: 0 }, "maxRedemptions"],
    ["a lower-case code", { code: "spring" }, "code"],
    ["a zoneless expiry", { expiresAt: "2030-03-01T00:00" }, "expiresAt"],
    ["the capacity counters", { available: 1_000 }, "available"],
    ["an operator as the code", { code: { $gt: "" } }, "code"],
    ["an operator as the expiry", { expiresAt: { $lt: "2031-01-01" } }, "expiresAt"],
    [
      "an operator inside the discount",
      { discount: { _tag: "percent", percent: 5, $set: {} } },
      "discount.$set",
    ],
  ])("refuses %s naming the field, writing nothing", (_name, change, field) =>
    run(
      Effect.gen(function* () {
        const failure = yield* Effect.flip(createCoupon({ ...SPRING, ...change }, "alice@shop"))
        expect(failure).toMatchObject({ _tag: "InvalidInput", field })
        expect(yield* listCoupons()).toEqual([])
        expect(yield* auditTrail).toEqual([])
      }),
    ),
  )
})

describe("updateCoupon", () => {
  it("moves the expiry and keeps the capacity counters as they are", () =>
    run(
      Effect.gen(function* () {
        const coupon = yield* heldCoupon
        const updated = yield* updateCoupon(coupon.id, { expiresAt: "2030-06-01T00:00:00+02:00" }, "bob@shop")
        expect(updated).toMatchObject({
          expiresAt: new Date("2030-05-31T22:00:00Z"),
          available: coupon.available,
          reservedCount: 1,
          version: coupon.version + 1,
        })
        expect((yield* couponById(coupon.id)).holds).toEqual(coupon.holds)
        expect(yield* auditTrail).toMatchObject([
          { action: "coupon.update", before: { expiresAt: null }, after: { expiresAt: updated.expiresAt } },
        ])
      }),
    ))

  it("removes the expiry with null, and an unchanged request audits nothing", () =>
    run(
      Effect.gen(function* () {
        const coupon = yield* createCoupon(SPRING, "alice@shop")
        const cleared = yield* updateCoupon(coupon.id, { expiresAt: null }, "bob@shop")
        expect(cleared.expiresAt).toBeNull()
        const again = yield* updateCoupon(coupon.id, { expiresAt: null, active: true }, "bob@shop")
        expect(again).toEqual(cleared)
        expect((yield* auditTrail).map((r) => r.action)).toEqual(["coupon.create", "coupon.update"])
      }),
    ))

  it("an expiry equal to the current one, written differently, is no change", () =>
    run(
      Effect.gen(function* () {
        const coupon = yield* createCoupon(SPRING, "alice@shop")
        yield* updateCoupon(coupon.id, { expiresAt: "2030-03-01T01:00:00+01:00" }, "bob@shop")
        expect(yield* auditTrail).toHaveLength(1)
      }),
    ))

  it("refuses a stale pinned version: a checkout held the coupon since it was read", () =>
    run(
      Effect.gen(function* () {
        const coupon = yield* createCoupon(SPRING, "alice@shop")
        yield* insertProducts(mug(), plate())
        yield* checkout([{ sku: "MUG-1", quantity: 1 }], { couponCode: "SPRING" })
        const failure = yield* Effect.flip(
          updateCoupon(coupon.id, { active: false, expectedVersion: 0 }, "bob@shop"),
        )
        expect(failure).toMatchObject({ _tag: "VersionConflict", entity: "coupons", actualVersion: 1 })
        expect((yield* couponById(coupon.id)).active).toBe(true)
      }),
    ))

  it("refuses a creation whose expiry has passed, as InputRefused naming expiresAt, writing nothing", () =>
    run(
      Effect.gen(function* () {
        const failure = yield* Effect.flip(
          createCoupon({ ...SPRING, expiresAt: "2029-12-31T23:59:59Z" }, "alice@shop"),
        )
        expect(failure).toMatchObject({ _tag: "InputRefused", field: "expiresAt" })
        expect(yield* listCoupons()).toEqual([])
        expect(yield* auditTrail).toEqual([])
      }),
    ))

  it("refuses an expiry that has passed by now", () =>
    run(
      Effect.gen(function* () {
        const coupon = yield* createCoupon(SPRING, "alice@shop")
        yield* (yield* ClockControl).set(minute(60))
        const failure = yield* Effect.flip(updateCoupon(coupon.id, { expiresAt: minute(30) }, "bob@shop"))
        // Well-formed, refused by the clock: InputRefused (422), not InvalidInput (400).
        expect(failure).toMatchObject({ _tag: "InputRefused", field: "expiresAt" })
        expect(yield* couponById(coupon.id)).toEqual(coupon)
      }),
    ))

  it.each([
    ["maxRedemptions", { maxRedemptions: 5 }],
    ["available", { available: 5 }],
    ["reservedCount", { reservedCount: 0 }],
    ["redeemedCount", { redeemedCount: 0 }],
    ["code", { code: "OTHER" }],
  ])("refuses to set %s", (field, input) =>
    run(
      Effect.gen(function* () {
        const coupon = yield* heldCoupon
        const failure = yield* Effect.flip(updateCoupon(coupon.id, input, "bob@shop"))
        expect(failure).toMatchObject({ _tag: "InvalidInput", field })
        expect(yield* couponById(coupon.id)).toEqual(coupon)
        expect(yield* auditTrail).toEqual([])
      }),
    ),
  )

  it("reports an unknown coupon, and an operator as the id is bad input", () =>
    run(
      Effect.gen(function* () {
        const unknown = yield* Effect.flip(updateCoupon("cpn_nope", { active: false }, "bob@shop"))
        expect(unknown).toMatchObject({ _tag: "CouponNotFound", id: "cpn_nope" })
        const operator = yield* Effect.flip(updateCoupon("$ne", { active: false }, "bob@shop"))
        expect(operator).toMatchObject({ _tag: "InvalidInput", field: "id" })
      }),
    ))
})

describe("deactivateCoupon", () => {
  it("stops new checkouts once; deactivating again is a no-op; held reservations stay", () =>
    run(
      Effect.gen(function* () {
        const coupon = yield* heldCoupon
        const off = yield* deactivateCoupon(coupon.id, "carol@shop")
        expect(off).toMatchObject({ active: false, reservedCount: 1 })
        expect((yield* couponById(coupon.id)).holds).toEqual(coupon.holds)
        expect(yield* deactivateCoupon(coupon.id, "carol@shop")).toEqual(off)
        expect(yield* auditTrail).toMatchObject([
          {
            action: "coupon.deactivate",
            actor: "carol@shop",
            before: { active: true },
            after: { active: false },
          },
        ])
        const refused = yield* Effect.flip(
          checkout([{ sku: "PLATE-1", quantity: 1 }], { couponCode: "SAVE10" }),
        )
        expect(refused).toMatchObject({ _tag: "CouponUnavailable", reason: "inactive" })
      }),
    ))

  it("reports an unknown coupon and a blank actor", () =>
    run(
      Effect.gen(function* () {
        expect(yield* Effect.flip(deactivateCoupon("cpn_nope", "carol@shop"))).toMatchObject({
          _tag: "CouponNotFound",
        })
        const coupon = yield* createCoupon(SPRING, "alice@shop")
        expect(yield* Effect.flip(deactivateCoupon(coupon.id, " "))).toMatchObject({
          _tag: "InvalidInput",
          field: "actor",
        })
        expect(yield* auditTrail).toHaveLength(1)
      }),
    ))
})

describe("listCoupons and getCoupon", () => {
  it("read without auditing", () =>
    run(
      Effect.gen(function* () {
        const coupon = yield* createCoupon(SPRING, "alice@shop")
        expect(yield* listCoupons()).toEqual([coupon])
        expect(yield* getCoupon(coupon.id)).toEqual(summaryOf(coupon))
        expect(yield* Effect.flip(getCoupon("cpn_nope"))).toMatchObject({ _tag: "CouponNotFound" })
        expect(yield* auditTrail).toHaveLength(1)
      }),
    ))
})
