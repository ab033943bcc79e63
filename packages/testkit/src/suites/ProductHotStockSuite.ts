import { OrderId, type Product, ProductCatalog } from "@settle/domain"
import { Effect, type Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import { aProduct, listingOf, minute } from "../fixtures.js"
import { HOLDERS, heldUnits, manyHolds } from "./HotHolds.js"
import { racesConditionalWrites, raceTitle, type ServerRaceOptions } from "./ServerRaces.js"

const orderId = OrderId.make("ord_new")

/**
 * A product every open checkout holds (issue 13): the checkout's read leaves holds and stock out, and single
 * moves among thousands of holds give the same outcomes, counters and holds as among a few.
 */
export const hotStock = <E>(layer: Layer.Layer<ProductCatalog, E>, options: ServerRaceOptions = {}): void => {
  const races = racesConditionalWrites(options)
  const run = <A, E2>(program: Effect.Effect<A, E2, ProductCatalog>) =>
    Effect.runPromise(Effect.provide(program, layer))

  const withProduct = (product: Product) =>
    Effect.gen(function* () {
      const catalog = yield* ProductCatalog
      yield* catalog.insert(product)
      const read = Effect.map(catalog.findById(product.id), Option.getOrThrow)
      const listing = Effect.map(catalog.findBySkus([product.sku]), ([found]) => found)
      return { catalog, read, listing }
    })

  describe(`hot stock (${HOLDERS} open holds)`, () => {
    it("findBySkus leaves out the holds and the stock they moved: findById's product without them", () =>
      run(
        Effect.gen(function* () {
          const product = aProduct({ stock: { available: 5, reserved: 0, committed: 0 } })
          const { catalog, read, listing } = yield* withProduct(product)
          yield* catalog.hold(product.id, "k/0", orderId, 2, minute(1))
          yield* catalog.hold(product.id, "k/1", orderId, 1, minute(2))
          yield* catalog.commitHold(product.id, "k/0", minute(3), 2)
          const full = yield* read
          const listed = yield* listing
          expect(full.stock).toEqual({ available: 2, reserved: 1, committed: 2 })
          for (const field of ["holds", "stock", "version", "updatedAt"])
            expect(listed).not.toHaveProperty(field)
          expect(listed).toEqual(listingOf(full))
        }),
      ))

    it("full reads hand out copies of the holds; the caller's `at` stays the caller's", () =>
      run(
        Effect.gen(function* () {
          const product = aProduct({ stock: { available: 5, reserved: 0, committed: 0 } })
          const { catalog, read } = yield* withProduct(product)
          const at = minute(1)
          yield* catalog.hold(product.id, "k/0", orderId, 2, at)
          at.setTime(0)
          const held = yield* read
          expect(held.holds).toEqual([{ key: "k/0", orderId, quantity: 2, at: minute(1) }])
          held.holds[0]?.at.setTime(0)
          Object.assign(held.holds, { length: 0 })
          expect(yield* read).toEqual({
            ...held,
            holds: [{ key: "k/0", orderId, quantity: 2, at: minute(1) }],
          })
        }),
      ))

    it("holds, commits and releases single keys among many holders; the rest stay in hold order", () =>
      run(
        Effect.gen(function* () {
          const holds = manyHolds(HOLDERS, (i) => 1 + (i % 3))
          const reserved = heldUnits(holds)
          const product = aProduct({ stock: { available: 10, reserved, committed: 0 }, holds })
          const { catalog, read, listing } = yield* withProduct(product)
          const [first, middle, last] = [holds[0]!, holds[HOLDERS / 2]!, holds[HOLDERS - 1]!]
          const hold = (key: string, quantity: number) =>
            catalog.hold(product.id, key, orderId, quantity, minute(61))
          expect(yield* hold(middle.key, 1)).toBe("already_held")
          expect(yield* hold("ord_new/0", 11)).toBe("insufficient")
          expect(yield* hold("ord_new/0", 4)).toBe("held")
          expect(yield* hold("ord_new/0", 1)).toBe("already_held")
          const commit = (key: string, quantity: number) =>
            catalog.commitHold(product.id, key, minute(62), quantity)
          expect(yield* commit(middle.key, middle.quantity + 1)).toBe("not_held")
          expect(yield* commit(middle.key, middle.quantity)).toBe("committed")
          expect(yield* commit(middle.key, middle.quantity)).toBe("not_held")
          expect(yield* catalog.releaseHold(product.id, last.key, minute(63))).toBe("released")
          expect(yield* catalog.releaseHold(product.id, last.key, minute(63))).toBe("not_held")
          expect(yield* catalog.releaseHold(product.id, "ord_gone/0", minute(63))).toBe("not_held")
          expect(yield* catalog.commitHold(product.id, first.key, minute(64), first.quantity)).toBe(
            "committed",
          )
          const after = yield* read
          expect(after.stock).toEqual({
            available: 10 - 4 + last.quantity,
            reserved: reserved + 4 - middle.quantity - last.quantity - first.quantity,
            committed: middle.quantity + first.quantity,
          })
          expect(after.holds).toEqual([
            ...holds.filter((h) => h !== first && h !== middle && h !== last),
            { key: "ord_new/0", orderId, quantity: 4, at: minute(61) },
          ])
          expect(after.version).toBe(product.version + 4)
          expect(after.updatedAt).toEqual(minute(64))
          expect(yield* listing).toEqual(listingOf(after))
        }),
      ))

    it(raceTitle("grants exactly the units left among many holders to concurrent new holds", options), () =>
      run(
        Effect.gen(function* () {
          const holds = manyHolds(HOLDERS)
          const left = 10
          const over = 10
          const product = aProduct({ stock: { available: left, reserved: HOLDERS, committed: 0 }, holds })
          const { catalog, read, listing } = yield* withProduct(product)
          const keys = Array.from({ length: left + over }, (_, i) => `ord_new_${i}/0`)
          const outcomes = yield* Effect.all(
            keys.map((key) => catalog.hold(product.id, key, orderId, 1, minute(61))),
            { concurrency: "unbounded" },
          )
          const after = yield* read
          const granted = keys.filter((_, i) => outcomes[i] === "held")
          const added = after.holds.slice(HOLDERS).map((h) => h.key)
          expect(after.holds.slice(0, HOLDERS)).toEqual(holds)
          expect(after.stock.available + after.stock.reserved).toBe(HOLDERS + left)
          expect(after.stock.reserved).toBe(heldUnits(after.holds))
          expect(yield* listing).toEqual(listingOf(after))
          if (races) {
            // Lost updates: only holds that were granted survive, and never more than the units left.
            expect(outcomes.every((o) => o === "held" || o === "insufficient")).toBe(true)
            expect(added.every((key) => granted.includes(key))).toBe(true)
            expect(added.length).toBeLessThanOrEqual(left)
            return
          }
          expect(granted).toHaveLength(left)
          expect(outcomes.filter((o) => o === "insufficient")).toHaveLength(over)
          expect(after.stock).toEqual({ available: 0, reserved: HOLDERS + left, committed: 0 })
          expect([...added].sort()).toEqual([...granted].sort())
        }),
      ),
    )
  })
}
