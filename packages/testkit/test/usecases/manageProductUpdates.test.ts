import { OrderId, ProductCatalog, updateProduct } from "@settle/domain"
import { Effect, Option } from "effect"
import { describe, expect, it } from "vitest"
import { summaryOf } from "../../src/fixtures.js"
import { auditTrail, checkout, insertProducts, MUG, mug, productOf, run, T0 } from "./support.js"

/** The product as the audit log keeps it. */
const snapshot = { sku: "MUG-1", name: "Enamel mug", price: { amount: 1000, currency: "EUR" } }

/** Each update of the catalog first sees `race` run, as if a checkout's hold slipped in between read and write. */
const racingUpdates = <A, E, R>(race: Effect.Effect<unknown>, program: Effect.Effect<A, E, R>) =>
  Effect.updateService(program, ProductCatalog, (catalog) => ({
    ...catalog,
    update: (...args: Parameters<ProductCatalog["update"]>) => Effect.zipRight(race, catalog.update(...args)),
  }))

describe("updateProduct", () => {
  it("renames and reprices, auditing before and after", () =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(mug())
        const price = { amount: 1200, currency: "EUR" }
        const updated = yield* updateProduct(MUG, { name: "Big mug", price }, "bob@shop")
        expect(updated).toMatchObject({ name: "Big mug", price, version: 1 })
        expect(summaryOf(yield* productOf(MUG))).toEqual(updated)
        expect(yield* auditTrail).toMatchObject([
          {
            actor: "bob@shop",
            action: "product.update",
            before: { ...snapshot, version: 0 },
            after: { ...snapshot, name: "Big mug", price, version: 1 },
          },
        ])
      }),
    ))

  it("asking for what already is writes nothing and audits nothing", () =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(mug())
        const same = yield* updateProduct(MUG, { name: "Enamel mug", active: true }, "bob@shop")
        expect(same.version).toBe(0)
        expect(yield* updateProduct(MUG, {}, "bob@shop")).toEqual(same)
        expect(yield* auditTrail).toEqual([])
      }),
    ))

  it("applies a pinned version that is current", () =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(mug())
        const updated = yield* updateProduct(MUG, { active: false, expectedVersion: 0 }, "bob@shop")
        expect(updated).toMatchObject({ active: false, version: 1 })
      }),
    ))

  it("refuses a stale pinned version with VersionConflict, changing nothing", () =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(mug())
        yield* checkout([{ sku: "MUG-1", quantity: 1 }])
        const before = yield* productOf(MUG)
        const failure = yield* Effect.flip(
          updateProduct(MUG, { name: "Big mug", expectedVersion: 0 }, "bob@shop"),
        )
        expect(failure).toMatchObject({
          _tag: "VersionConflict",
          entity: "products",
          id: MUG,
          expectedVersion: 0,
          actualVersion: 1,
        })
        expect(yield* productOf(MUG)).toEqual(before)
        expect(yield* auditTrail).toEqual([])
      }),
    ))

  it("retries a write lost to a checkout's hold, keeping the hold", () =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(mug())
        const catalog = yield* ProductCatalog
        let raced = false
        const holdOnce = Effect.suspend(() => {
          if (raced) return Effect.void
          raced = true
          return catalog.hold(MUG, "ord_race/0", OrderId.make("ord_race"), 1, T0).pipe(Effect.orDie)
        })
        const updated = yield* racingUpdates(holdOnce, updateProduct(MUG, { name: "Big mug" }, "bob@shop"))
        expect(updated).toMatchObject({ name: "Big mug", stock: { available: 1, reserved: 1 }, version: 2 })
        const stored = Option.getOrThrow(yield* catalog.findById(MUG))
        expect(stored.holds.map((h) => h.key)).toEqual(["ord_race/0"])
        expect(yield* auditTrail).toHaveLength(1)
      }),
    ))

  it("gives up with WriteConflict when every attempt loses, auditing nothing", () =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(mug({ available: 100, reserved: 0, committed: 0 }))
        const catalog = yield* ProductCatalog
        const bump = Effect.orDie(catalog.addStock(MUG, 1, T0))
        const failure = yield* Effect.flip(
          racingUpdates(bump, updateProduct(MUG, { name: "Big mug" }, "bob@shop")),
        )
        expect(failure).toMatchObject({ _tag: "WriteConflict", entity: "products", id: MUG })
        expect((yield* productOf(MUG)).name).toBe("Enamel mug")
        expect(yield* auditTrail).toEqual([])
      }),
    ))

  it("a pinned version that loses the race is a VersionConflict, not a retry", () =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(mug())
        const catalog = yield* ProductCatalog
        const bump = Effect.orDie(catalog.addStock(MUG, 1, T0))
        const failure = yield* Effect.flip(
          racingUpdates(bump, updateProduct(MUG, { name: "Big mug", expectedVersion: 0 }, "bob@shop")),
        )
        expect(failure).toMatchObject({ _tag: "VersionConflict", expectedVersion: 0, actualVersion: 1 })
      }),
    ))

  it.each([
    ["stock, which only stock moves change", { stock: 99 }, "stock"],
    ["a negative price", { price: { amount: -1, currency: "EUR" } }, "price.amount"],
    ["an operator as a flag", { active: { $ne: true } }, "active"],
    ["a fractional version", { expectedVersion: 0.5 }, "expectedVersion"],
  ])("refuses %s naming the field", (_name, input, field) =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(mug())
        const failure = yield* Effect.flip(updateProduct(MUG, input, "bob@shop"))
        expect(failure).toMatchObject({ _tag: "InvalidInput", field })
        expect(yield* productOf(MUG)).toEqual(mug())
        expect(yield* auditTrail).toEqual([])
      }),
    ),
  )

  it("reports an unknown product, and an id no store may see as bad input", () =>
    run(
      Effect.gen(function* () {
        expect(yield* Effect.flip(updateProduct("prd_nope", { name: "x" }, "bob@shop"))).toMatchObject({
          _tag: "ProductNotFound",
          id: "prd_nope",
        })
        expect(yield* Effect.flip(updateProduct("$gt", { name: "x" }, "bob@shop"))).toMatchObject({
          _tag: "InvalidInput",
          field: "id",
        })
      }),
    ))
})
