import { readFileSync } from "node:fs"
import {
  addProductStock,
  archiveProduct,
  createProduct,
  getProduct,
  listProducts,
  MAX_STOCK_UNITS,
} from "@settle/domain"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { summaryOf } from "../../src/fixtures.js"
import { auditTrail, checkout, insertProducts, MUG, mug, productOf, run, T0 } from "./support.js"

// updateProduct, its version pinning and its retries: manageProductUpdates.test.ts.

const NEW_MUG = {
  sku: "MUG-2",
  name: "  Tall mug  ",
  price: { amount: 1250, currency: "EUR" },
  stock: 5,
}

describe("createProduct", () => {
  it("inserts the product with its initial stock and audits it", () =>
    run(
      Effect.gen(function* () {
        const product = yield* createProduct(NEW_MUG, " alice@shop ")
        expect(product).toMatchObject({
          id: "prd_000001",
          sku: "MUG-2",
          name: "Tall mug",
          stock: { available: 5, reserved: 0, committed: 0 },
          active: true,
          version: 0,
          createdAt: T0,
        })
        expect(yield* productOf(product.id)).toEqual(product)
        const [record, ...more] = yield* auditTrail
        expect(more).toEqual([])
        expect(record).toMatchObject({
          actor: "alice@shop",
          action: "product.create",
          orderId: null,
          reason: null,
          before: null,
          after: { id: "prd_000001", sku: "MUG-2", stock: { available: 5, reserved: 0, committed: 0 } },
        })
      }),
    ))

  it("can create a product off sale", () =>
    run(
      Effect.gen(function* () {
        const product = yield* createProduct({ ...NEW_MUG, active: false }, "alice@shop")
        expect(product.active).toBe(false)
      }),
    ))

  it("surfaces a taken sku as DuplicateKey and writes nothing", () =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(mug())
        const failure = yield* Effect.flip(createProduct({ ...NEW_MUG, sku: "MUG-1" }, "alice@shop"))
        expect(failure).toMatchObject({ _tag: "DuplicateKey", entity: "products" })
        expect((yield* listProducts()).map((p) => p.id)).toEqual([MUG])
        expect(yield* auditTrail).toEqual([])
      }),
    ))

  it.each([
    ["a fractional price", { price: { amount: 12.5, currency: "EUR" } }, "price.amount"],
    ["a lower-case currency", { price: { amount: 1250, currency: "eur" } }, "price.currency"],
    ["negative stock", { stock: -1 }, "stock"],
    ["a blank name", { name: "   " }, "name"],
    ["a field the admin cannot set", { holds: [] }, "holds"],
    ["an operator as the sku", { sku: { $gt: "" } }, "sku"],
    ["an operator as the price", { price: { $gt: "" } }, "price.$gt"],
    ["an operator beside the fields", { $where: "1" }, "$where"],
    ["a dollar sku", { sku: "$gt" }, "sku"],
  ])("refuses %s naming the field, writing nothing", (_name, change, field) =>
    run(
      Effect.gen(function* () {
        const failure = yield* Effect.flip(createProduct({ ...NEW_MUG, ...change }, "alice@shop"))
        expect(failure).toMatchObject({ _tag: "InvalidInput", field })
        expect(yield* listProducts()).toEqual([])
        expect(yield* auditTrail).toEqual([])
      }),
    ),
  )

  it("refuses a blank actor", () =>
    run(
      Effect.gen(function* () {
        const failure = yield* Effect.flip(createProduct(NEW_MUG, "  "))
        expect(failure).toMatchObject({ _tag: "InvalidInput", field: "actor" })
        expect(yield* listProducts()).toEqual([])
      }),
    ))
})

describe("archiveProduct", () => {
  it("takes the product off sale once; archiving again is a no-op", () =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(mug())
        const archived = yield* archiveProduct(MUG, "carol@shop")
        expect(archived).toMatchObject({ active: false, version: 1 })
        expect(yield* archiveProduct(MUG, "carol@shop")).toEqual(archived)
        expect(yield* auditTrail).toMatchObject([
          { action: "product.archive", before: { active: true }, after: { active: false } },
        ])
        const refused = yield* Effect.flip(checkout([{ sku: "MUG-1", quantity: 1 }]))
        expect(refused).toMatchObject({ _tag: "UnknownSku", sku: "MUG-1" })
      }),
    ))

  it("reports an unknown product", () =>
    run(
      Effect.gen(function* () {
        const failure = yield* Effect.flip(archiveProduct("prd_nope", "carol@shop"))
        expect(failure).toMatchObject({ _tag: "ProductNotFound" })
      }),
    ))
})

describe("addProductStock", () => {
  it("adds to available and audits the quantity received", () =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(mug())
        yield* checkout([{ sku: "MUG-1", quantity: 1 }])
        const stocked = yield* addProductStock(MUG, { quantity: 10 }, "dave@shop")
        expect(stocked.stock).toEqual({ available: 11, reserved: 1, committed: 0 })
        expect(yield* auditTrail).toMatchObject([
          {
            action: "product.add_stock",
            actor: "dave@shop",
            before: { stock: { available: 1, reserved: 1, committed: 0 } },
            after: { stock: { available: 11, reserved: 1, committed: 0 }, added: 10 },
          },
        ])
      }),
    ))

  it.each([
    ["zero", { quantity: 0 }, "quantity"],
    ["a fraction", { quantity: 1.5 }, "quantity"],
    ["an operator", { quantity: { $inc: 5 } }, "quantity"],
    ["a missing quantity", {}, "quantity"],
  ])("refuses %s naming the field", (_name, input, field) =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(mug())
        const failure = yield* Effect.flip(addProductStock(MUG, input, "dave@shop"))
        expect(failure).toMatchObject({ _tag: "InvalidInput", field })
        expect(yield* productOf(MUG)).toEqual(mug())
        expect(yield* auditTrail).toEqual([])
      }),
    ),
  )

  it("refuses, as InputRefused naming quantity, stock past MAX_STOCK_UNITS in all, writing nothing", () =>
    run(
      Effect.gen(function* () {
        const full = mug({ available: MAX_STOCK_UNITS - 12, reserved: 7, committed: 3 })
        yield* insertProducts(full)
        const failure = yield* Effect.flip(addProductStock(MUG, { quantity: 3 }, "dave@shop"))
        expect(failure).toMatchObject({ _tag: "InputRefused", field: "quantity" })
        expect(yield* productOf(MUG)).toEqual(full)
        expect(yield* auditTrail).toEqual([])
        // Up to the bound exactly is fine.
        const topped = yield* addProductStock(MUG, { quantity: 2 }, "dave@shop")
        expect(topped.stock).toEqual({ available: MAX_STOCK_UNITS - 10, reserved: 7, committed: 3 })
      }),
    ))

  it("reports an unknown product", () =>
    run(
      Effect.gen(function* () {
        const failure = yield* Effect.flip(addProductStock("prd_nope", { quantity: 1 }, "dave@shop"))
        expect(failure).toMatchObject({ _tag: "ProductNotFound", id: "prd_nope" })
        expect(yield* auditTrail).toEqual([])
      }),
    ))
})

describe("listProducts and getProduct", () => {
  it("read the catalog without auditing", () =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(mug())
        expect(yield* listProducts()).toEqual([mug()])
        expect(yield* getProduct(MUG)).toEqual(summaryOf(mug()))
        expect(yield* Effect.flip(getProduct("prd_nope"))).toMatchObject({ _tag: "ProductNotFound" })
        expect(yield* Effect.flip(getProduct("a b"))).toMatchObject({ _tag: "InvalidInput", field: "id" })
        expect(yield* auditTrail).toEqual([])
      }),
    ))
})

// docs/embedding.md §2: the statement about InputRefused names these three rules and this bound.
describe("InputRefused as docs/embedding.md §2 describes it", () => {
  it("names the rules the use-cases refuse with InputRefused, and MAX_STOCK_UNITS", () => {
    const text = readFileSync(new URL("../../../../docs/embedding.md", import.meta.url), "utf8").replace(
      /\s+/g,
      " ",
    )
    expect(MAX_STOCK_UNITS).toBe(1_000_000_000)
    expect(text).toContain(
      "fails `InputRefused` naming the field (the reference server answers 422 `INPUT_REFUSED`): a coupon `expiresAt` that is not in the future, one sku on two checkout lines, a coupon that would make the order free, and `addProductStock` past `MAX_STOCK_UNITS` (1000000000) units in all (available + reserved + committed)",
    )
  })
})
