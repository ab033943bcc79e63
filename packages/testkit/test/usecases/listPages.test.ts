import {
  CouponCode,
  CouponRepository,
  listCouponsPage,
  listProductsPage,
  MAX_PAGE,
  type Page,
  type PageRequest,
  ProductCatalog,
  Sku,
} from "@settle/domain"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { aCoupon, aProduct } from "../../src/fixtures.js"
import { run } from "./support.js"

const insertProducts = (count: number) =>
  Effect.flatMap(ProductCatalog, (catalog) =>
    Effect.forEach(
      Array.from({ length: count }, (_, n) => `SKU-${String(count - n).padStart(3, "0")}`),
      (sku) => catalog.insert(aProduct({ sku: Sku.make(sku) })),
      { discard: true },
    ),
  )

/** Every page from the first, as a client walks them: each request carries the nextCursor before it. */
const walk = <A, E, R>(list: (request: PageRequest) => Effect.Effect<Page<A>, E, R>, limit: number) =>
  Effect.gen(function* () {
    const pages: Array<ReadonlyArray<A>> = []
    let cursor: string | undefined
    do {
      const page = yield* list({ cursor, limit })
      pages.push(page.items)
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined && pages.length < 20)
    return pages
  })

describe("listProductsPage", () => {
  it("pages through every product by sku with nextCursor, null on the last page", () =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(5)
        const pages = yield* walk(listProductsPage, 2)
        expect(pages.map((page) => page.map((p) => p.sku))).toEqual([
          ["SKU-001", "SKU-002"],
          ["SKU-003", "SKU-004"],
          ["SKU-005"],
        ])
      }),
    ))

  it("serves 50 by default and at most 100; a page ending on the last product has no nextCursor", () =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(MAX_PAGE + 1)
        const first = yield* listProductsPage({})
        expect(first.items).toHaveLength(50)
        const most = yield* listProductsPage({ limit: MAX_PAGE })
        expect(most.items).toHaveLength(MAX_PAGE)
        const rest = yield* listProductsPage({ limit: MAX_PAGE, cursor: most.nextCursor ?? "" })
        expect(rest.items.map((p) => p.sku)).toEqual(["SKU-101"])
        expect(rest.nextCursor).toBeNull()
        expect(
          (yield* listProductsPage({ limit: MAX_PAGE + 1 - 50, cursor: first.nextCursor ?? "" })).nextCursor,
        ).toBeNull()
      }),
    ))

  it("refuses a bad limit or a malformed cursor as InvalidInput naming the field", () =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(1)
        const cases: ReadonlyArray<readonly [PageRequest, string, string]> = [
          [{ limit: 0 }, "limit", "limit must be an integer from 1 to 100"],
          [{ limit: 101 }, "limit", "limit must be an integer from 1 to 100"],
          [{ limit: 2.5 }, "limit", "limit must be an integer from 1 to 100"],
          [{ cursor: "not a cursor" }, "cursor", "cursor must be a nextCursor this endpoint returned"],
          [{ cursor: "" }, "cursor", "cursor must be a nextCursor this endpoint returned"],
          [{ cursor: "x".repeat(1025) }, "cursor", "cursor must be a nextCursor this endpoint returned"],
        ]
        for (const [request, field, message] of cases) {
          const failure = yield* Effect.flip(listProductsPage(request))
          expect({ request, failure }).toMatchObject({
            request,
            failure: { _tag: "InvalidInput", field, message },
          })
        }
      }),
    ))

  it("refuses a well-formed cursor it did not issue as UnknownCursor", () =>
    run(
      Effect.gen(function* () {
        // Not base64url of anything; base64url of `{"a":1}`; of `"bad sku"`: shaped like cursors, none ours.
        for (const cursor of ["0", "eyJhIjoxfQ", "ImJhZCBza3Ui"]) {
          const failure = yield* Effect.flip(listProductsPage({ cursor }))
          expect({ cursor, failure }).toMatchObject({
            cursor,
            failure: { _tag: "UnknownCursor", message: "cursor must be a nextCursor this endpoint returned" },
          })
        }
      }),
    ))
})

// docs/embedding.md §5: each statement about listProductsPage/listCouponsPage is checked in this file.
describe("listProductsPage as docs/embedding.md §5 describes it", () => {
  it("checks limit and cursor before the store is read", () =>
    run(
      Effect.gen(function* () {
        const catalog = yield* ProductCatalog
        const unread = { ...catalog, listPage: () => Effect.die("the store was read") }
        const failure = yield* Effect.flip(
          listProductsPage({ limit: 0 }).pipe(Effect.provideService(ProductCatalog, unread)),
        )
        expect(failure).toMatchObject({ _tag: "InvalidInput", field: "limit" })
      }),
    ))

  it("serves an item inserted between two calls once if it sorts after the cursor, else not at all", () =>
    run(
      Effect.gen(function* () {
        const catalog = yield* ProductCatalog
        yield* insertProducts(4)
        const first = yield* listProductsPage({ limit: 2 })
        yield* catalog.insert(aProduct({ sku: Sku.make("SKU-000") }))
        yield* catalog.insert(aProduct({ sku: Sku.make("SKU-003a") }))
        const rest = yield* walk(
          (request) => listProductsPage({ ...request, cursor: request.cursor ?? first.nextCursor ?? "" }),
          2,
        )
        const seen = [...first.items, ...rest.flat()].map((p) => p.sku)
        expect(seen).toEqual(["SKU-001", "SKU-002", "SKU-003", "SKU-003a", "SKU-004"])
      }),
    ))
})

describe("listCouponsPage", () => {
  it("pages through every coupon by code and refuses a bad limit naming it", () =>
    run(
      Effect.gen(function* () {
        const coupons = yield* CouponRepository
        yield* Effect.forEach(["WINTER", "AUTUMN", "SUMMER"], (code) =>
          coupons.insert(aCoupon({ code: CouponCode.make(code) })),
        )
        const pages = yield* walk(listCouponsPage, 2)
        expect(pages.map((page) => page.map((c) => c.code))).toEqual([["AUTUMN", "SUMMER"], ["WINTER"]])
        expect(yield* Effect.flip(listCouponsPage({ limit: 0 }))).toMatchObject({
          _tag: "InvalidInput",
          field: "limit",
        })
      }),
    ))
})
