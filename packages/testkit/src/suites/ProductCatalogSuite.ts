import { money, OrderId, ProductCatalog, Sku } from "@settle/domain"
import { Effect, type Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import { aProduct, listingOf, minute, summaryOf } from "../fixtures.js"
import { keysetPages } from "./KeysetPages.js"
import { hotStock } from "./ProductHotStockSuite.js"
import { stock } from "./ProductStockSuite.js"
import { racesConditionalWrites, raceTitle, type ServerRaceOptions } from "./ServerRaces.js"

/** The ProductCatalog contract; every adapter (memory, Mongo) must pass it unchanged. */
export const suite = <E>(
  name: string,
  layer: Layer.Layer<ProductCatalog, E>,
  options: ServerRaceOptions = {},
): void => {
  const run = <A, E2>(program: Effect.Effect<A, E2, ProductCatalog>) =>
    Effect.runPromise(Effect.provide(program, layer))

  describe(name, () => {
    keysetPages(
      {
        run,
        insert: (sku) =>
          Effect.flatMap(ProductCatalog, (catalog) => catalog.insert(aProduct({ sku: Sku.make(sku) }))),
        touch: (sku) =>
          Effect.gen(function* () {
            const catalog = yield* ProductCatalog
            const [listed] = yield* catalog.findBySkus([Sku.make(sku)])
            const product = listed === undefined ? Option.none() : yield* catalog.findById(listed.id)
            if (Option.isSome(product))
              yield* catalog.update(product.value.id, product.value.version, { active: false }, minute(5))
          }),
        page: (after, limit) =>
          Effect.map(
            Effect.flatMap(ProductCatalog, (catalog) =>
              catalog.listPage({ after: after === undefined ? undefined : Sku.make(after), limit }),
            ),
            (products) => products.map((p) => p.sku),
          ),
      },
      ["M-1", "B-1", "Z-1", "C-2", "A-9", "K-4", "Q-7"],
    )

    describe("insert and find", () => {
      it("reads a product's summary by id and by page: the whole product but its holds, versions and counters included", () =>
        run(
          Effect.gen(function* () {
            const catalog = yield* ProductCatalog
            const product = aProduct()
            yield* catalog.insert(product)
            // Enough holds to span several places where the store splits a product (3 units a place).
            for (const n of [0, 1, 2, 3]) {
              const orderId = OrderId.make(`ord_summary_${n}`)
              expect(yield* catalog.hold(product.id, `${orderId}/0`, orderId, 2, minute(n + 1))).toBe("held")
            }
            const { holds, ...rest } = Option.getOrThrow(yield* catalog.findById(product.id))
            expect(holds).toHaveLength(4)
            expect(rest.stock).toEqual({ available: 2, reserved: 8, committed: 0 })
            const summary = Option.getOrThrow(yield* catalog.findSummary(product.id))
            expect(summary).toEqual(rest)
            expect(summary).not.toHaveProperty("holds")
            const [paged] = yield* catalog.listPage({ limit: 1 })
            expect(paged).toEqual(rest)
            expect(paged).not.toHaveProperty("holds")
            expect(Option.isNone(yield* catalog.findSummary(aProduct().id))).toBe(true)
          }),
        ))

      it("reads back an equal product by id", () =>
        run(
          Effect.gen(function* () {
            const catalog = yield* ProductCatalog
            const product = aProduct()
            yield* catalog.insert(product)
            expect(Option.getOrThrow(yield* catalog.findById(product.id))).toEqual(product)
            expect(Option.isNone(yield* catalog.findById(aProduct().id))).toBe(true)
          }),
        ))

      it("rejects a duplicate id or sku as DuplicateKey and keeps the first", () =>
        run(
          Effect.gen(function* () {
            const catalog = yield* ProductCatalog
            const first = aProduct()
            yield* catalog.insert(first)
            const sameId = yield* Effect.flip(catalog.insert(aProduct({ id: first.id })))
            const sameSku = aProduct({ sku: first.sku })
            const sameSkuError = yield* Effect.flip(catalog.insert(sameSku))
            expect(sameId._tag).toBe("DuplicateKey")
            expect(sameSkuError._tag).toBe("DuplicateKey")
            expect(Option.isNone(yield* catalog.findById(sameSku.id))).toBe(true)
            expect(yield* catalog.list()).toEqual([first])
          }),
        ))

      it("findBySkus returns the known skus without their holds and stock and skips unknown ones", () =>
        run(
          Effect.gen(function* () {
            const catalog = yield* ProductCatalog
            const a = aProduct({ sku: Sku.make("A-1") })
            const b = aProduct({ sku: Sku.make("B-1") })
            yield* catalog.insert(b)
            yield* catalog.insert(a)
            yield* catalog.insert(aProduct({ sku: Sku.make("C-1") }))
            const found = yield* catalog.findBySkus([Sku.make("B-1"), Sku.make("NOPE"), Sku.make("A-1")])
            expect([...found].sort((x, y) => x.sku.localeCompare(y.sku))).toEqual([
              listingOf(a),
              listingOf(b),
            ])
            for (const listing of found) {
              expect(listing).not.toHaveProperty("holds")
              expect(listing).not.toHaveProperty("stock")
            }
            expect(yield* catalog.findBySkus([])).toEqual([])
          }),
        ))

      it("list returns every product by sku", () =>
        run(
          Effect.gen(function* () {
            const catalog = yield* ProductCatalog
            const skus = ["M-1", "B-1", "Z-1"]
            yield* Effect.forEach(skus, (sku) => catalog.insert(aProduct({ sku: Sku.make(sku) })))
            expect((yield* catalog.list()).map((p) => p.sku)).toEqual(["B-1", "M-1", "Z-1"])
          }),
        ))

      it("stores and returns copies, never shared objects", () =>
        run(
          Effect.gen(function* () {
            const catalog = yield* ProductCatalog
            const product = aProduct()
            const original = structuredClone(product)
            yield* catalog.insert(product)
            Object.assign(product.stock, { available: 0 })
            const read = Option.getOrThrow(yield* catalog.findById(product.id))
            Object.assign(read.stock, { available: 999 })
            read.createdAt.setTime(0)
            const at = minute(3)
            yield* catalog.addStock(product.id, 1, at)
            at.setTime(0)
            const stored = Option.getOrThrow(yield* catalog.findById(product.id))
            expect(stored.stock).toEqual({ ...original.stock, available: original.stock.available + 1 })
            expect(stored.createdAt).toEqual(original.createdAt)
            expect(stored.updatedAt).toEqual(minute(3))
          }),
        ))
    })

    describe("update", () => {
      it("changes only the given fields when the version matches", () =>
        run(
          Effect.gen(function* () {
            const catalog = yield* ProductCatalog
            const product = aProduct({ version: 4 })
            yield* catalog.insert(product)
            const price = money(1800, "EUR")
            const next = Option.getOrThrow(
              yield* catalog.update(product.id, 4, { price, active: false }, minute(2)),
            )
            expect(next).toEqual(
              summaryOf({ ...product, price, active: false, version: 5, updatedAt: minute(2) }),
            )
            const stored = Option.getOrThrow(yield* catalog.findById(product.id))
            expect(summaryOf(stored)).toEqual(next)
            expect(stored.holds).toEqual(product.holds)
          }),
        ))

      it("returns None and changes nothing on a stale version or an unknown id", () =>
        run(
          Effect.gen(function* () {
            const catalog = yield* ProductCatalog
            const product = aProduct({ version: 4 })
            yield* catalog.insert(product)
            expect(Option.isNone(yield* catalog.update(product.id, 3, { name: "Cup" }, minute(2)))).toBe(true)
            expect(Option.isNone(yield* catalog.update(aProduct().id, 0, { name: "Cup" }, minute(2)))).toBe(
              true,
            )
            expect(Option.getOrThrow(yield* catalog.findById(product.id))).toEqual(product)
          }),
        ))

      it(raceTitle("lets exactly one of concurrent updates on the same version win", options), () =>
        run(
          Effect.gen(function* () {
            const catalog = yield* ProductCatalog
            const product = aProduct()
            yield* catalog.insert(product)
            const results = yield* Effect.all(
              Array.from({ length: 30 }, (_, i) =>
                catalog.update(product.id, 0, { name: `Mug ${i}` }, minute(1)),
              ),
              { concurrency: "unbounded" },
            )
            const winners = results.filter(Option.isSome).map((r) => r.value)
            // A racing server lets several writers of version 0 through; the last one's write stays.
            if (racesConditionalWrites(options)) expect(winners.length).toBeGreaterThanOrEqual(1)
            else expect(winners).toHaveLength(1)
            const stored = Option.getOrThrow(yield* catalog.findById(product.id))
            expect(stored.version).toBe(1)
            expect(winners.map((w) => w.name)).toContain(stored.name)
          }),
        ),
      )
    })

    stock(layer, options)
    hotStock(layer, options)
  })
}
