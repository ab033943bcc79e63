import { SystemClock } from "@settle/adapters"
import { MemoryCouponRepository, MemoryOrderRepository, MemoryProductCatalog } from "@settle/adapters/memory"
import {
  CouponCode,
  CouponRepository,
  decodeInput,
  listCouponsPage,
  listProductsPage,
  MAX_PAGE,
  OrderStatus,
  ProductCatalog,
  readPage,
  Sku,
} from "@settle/domain"
import { fixtures } from "@settle/testkit"
import { Effect, Either, JSONSchema, Layer, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { problemFor } from "../src/http/errors.js"
import { listQuery, PageQuery, pageAnswer, pageAnswerSchema, readFromList } from "../src/http/pagination.js"
import { listOrders, OrderListQuery } from "../src/http/routes/adminOrderQuery.js"

const Query = listQuery({ status: OrderStatus })
const decode = (query: Record<string, unknown>) => Effect.runSync(Effect.either(decodeInput(Query)(query)))

const refusal = (query: Record<string, unknown>) => {
  const result = decode(query)
  if (Either.isRight(result)) throw new Error(`accepted ${JSON.stringify(query)}`)
  return { field: result.left.field, message: result.left.message }
}

describe("listQuery", () => {
  it("decodes cursor, limit and the list's own filters, all optional", () => {
    expect(decode({})).toEqual(Either.right({}))
    expect(decode({ status: "paid", limit: "100", cursor: "WyJhIl0" })).toEqual(
      Either.right({ status: "paid", limit: 100, cursor: "WyJhIl0" }),
    )
  })

  it("refuses an unknown parameter, naming it", () => {
    expect(refusal({ limt: "5" }).field).toBe("limt")
  })

  it("refuses a repeated parameter, naming it", () => {
    for (const name of ["limit", "cursor", "status"]) {
      expect(refusal({ [name]: ["1", "2"] })).toEqual({ field: name, message: `${name} must be given once` })
    }
  })

  it("refuses a limit outside 1..100 or not an integer, and a cursor that is not base64url", () => {
    const limitMessage = `limit must be an integer from 1 to ${MAX_PAGE}`
    for (const limit of ["0", "101", "2.5", "ten", "", "-1"]) {
      expect(refusal({ limit })).toEqual({ field: "limit", message: limitMessage })
    }
    for (const cursor of ["", "a b", "a+b/c=", "x".repeat(1025)]) {
      expect(refusal({ cursor })).toEqual({
        field: "cursor",
        message: "cursor must be a nextCursor this endpoint returned",
      })
    }
  })

  it("documents each parameter as its own schema, the repeated check unseen", () => {
    // As the OpenAPI document derives it (packages/server/src/http/contract/openapi.ts).
    const json = JSONSchema.fromAST(Query.ast, { definitions: {}, target: "openApi3.1" }) as unknown as {
      properties: Record<string, Record<string, unknown>>
      required: Array<string>
      additionalProperties: boolean
    }
    expect(json.required).toEqual([])
    expect(json.additionalProperties).toBe(false)
    expect(json.properties.limit).toMatchObject({
      type: "integer",
      minimum: 1,
      maximum: MAX_PAGE,
      default: 50,
      description: "Page size, 1 to 100 (default 50)",
    })
    expect(json.properties.cursor).toMatchObject({ type: "string", pattern: "^[A-Za-z0-9_-]{1,1024}$" })
    expect(json.properties.status).toMatchObject({ type: "string", enum: [...OrderStatus.literals] })
    expect(Object.keys(PageQuery.fields).sort()).toEqual(["cursor", "limit"])
  })
})

describe("the page answer", () => {
  it("puts the items under their plural, through the view, with nextCursor; its schema accepts it", () => {
    const answer = pageAnswer("products", { items: [{ n: 1 }, { n: 2 }], nextCursor: "abc" }, (p) => p.n * 10)
    expect(answer).toEqual({ products: [10, 20], nextCursor: "abc" })
    const schema = pageAnswerSchema("products", Schema.Number)
    expect(Schema.decodeUnknownSync(schema)(answer)).toEqual(answer)
    expect(Schema.decodeUnknownSync(schema)({ products: [], nextCursor: null })).toEqual({
      products: [],
      nextCursor: null,
    })
    expect(Schema.is(schema)({ products: [1] })).toBe(false)
  })
})

describe("the products and coupons lists, as their routes call them", () => {
  it("decode the query with PageQuery, read a page and answer it under the plural", async () => {
    const products = Effect.gen(function* () {
      const catalog = yield* ProductCatalog
      for (const sku of ["B-1", "A-1", "C-1"])
        yield* catalog.insert(fixtures.aProduct({ sku: Sku.make(sku) }))
      const first = yield* Effect.flatMap(decodeInput(PageQuery)({ limit: "2" }), listProductsPage)
      const second = yield* Effect.flatMap(
        decodeInput(PageQuery)({ limit: "2", cursor: first.nextCursor }),
        listProductsPage,
      )
      return [first, second].map((page) => pageAnswer("products", page, (p) => p.sku))
    })
    const [first, second] = await Effect.runPromise(Effect.provide(products, MemoryProductCatalog.layer))
    expect(first).toEqual({ products: ["A-1", "B-1"], nextCursor: expect.any(String) })
    expect(second).toEqual({ products: ["C-1"], nextCursor: null })

    const coupons = Effect.gen(function* () {
      yield* (yield* CouponRepository).insert(fixtures.aCoupon({ code: CouponCode.make("SPRING") }))
      return yield* Effect.flatMap(decodeInput(PageQuery)({}), listCouponsPage)
    })
    const page = await Effect.runPromise(Effect.provide(coupons, MemoryCouponRepository.layer))
    expect(pageAnswer("coupons", page, (c) => c.code)).toEqual({ coupons: ["SPRING"], nextCursor: null })
  })
})

describe("readFromList", () => {
  const JOBS = ["expiry", "repair", "invoice-retry", "reconcile"] as const
  const jobs = JOBS.map((name) => ({ name }))
  const page = (query: Record<string, unknown>) =>
    Effect.runSync(
      Effect.either(
        Effect.flatMap(decodeInput(PageQuery)(query), (request) =>
          readPage(request, Schema.Literal(...JOBS), readFromList(jobs, "name"), (job) => job.name),
        ),
      ),
    )

  it("pages a list in memory in its own order, and refuses a cursor naming no item", () => {
    const first = Either.getOrThrow(page({ limit: "3" }))
    expect(first.items.map((job) => job.name)).toEqual(["expiry", "repair", "invoice-retry"])
    const rest = Either.getOrThrow(page({ limit: "3", cursor: first.nextCursor }))
    expect(rest).toEqual({ items: [{ name: "reconcile" }], nextCursor: null })
    expect(Either.getOrThrow(page({})).items).toHaveLength(4)
    // base64url of `"cleanup"`: well-formed, but no job of that name.
    expect(page({ cursor: "ImNsZWFudXAi" })).toMatchObject(Either.left({ _tag: "UnknownCursor" }))
  })
})

describe("the orders list's cursor", () => {
  const base64url = (json: unknown) => Buffer.from(JSON.stringify(json)).toString("base64url")
  const refusal = (query: Record<string, unknown>) =>
    Effect.runPromise(
      Effect.flip(listOrders(query)).pipe(
        Effect.provide(Layer.merge(MemoryOrderRepository.layer, SystemClock.layer)),
      ),
    )

  it("names an order's position; a forged one, another list's or one past any date is refused 422-style", async () => {
    const cursorMessage = "cursor must be a nextCursor this endpoint returned"
    for (const cursor of [base64url([1e300, "ord_1"]), base64url("SKU-1"), base64url([0]), "AAAA", "0"]) {
      expect({ cursor, failure: await refusal({ cursor }) }).toMatchObject({
        cursor,
        failure: { _tag: "UnknownCursor", message: cursorMessage },
      })
    }
    // docs/embedding.md §5: the reference server answers it 422 UNKNOWN_CURSOR naming the field.
    expect(problemFor(await refusal({ cursor: "0" }))).toMatchObject({
      status: 422,
      code: "UNKNOWN_CURSOR",
      details: { field: "cursor" },
    })
    expect(await refusal({ cursor: "not a cursor" })).toMatchObject({
      _tag: "InvalidInput",
      field: "cursor",
      message: cursorMessage,
    })
    const page = await Effect.runPromise(
      listOrders({ cursor: base64url([Date.now(), "ord_1"]) }).pipe(
        Effect.provide(Layer.merge(MemoryOrderRepository.layer, SystemClock.layer)),
      ),
    )
    expect(page).toEqual({ orders: [], nextCursor: null })
  })
})

describe("the orders list's createdFrom and createdBefore", () => {
  const decodeFrom = (createdFrom: string) =>
    Effect.runSync(Effect.either(decodeInput(OrderListQuery)({ createdFrom })))

  it("read every text their documented pattern admits as a real instant", () => {
    const pad = (n: number) => String(n).padStart(2, "0")
    for (let month = 1; month <= 12; month++) {
      for (let day = 1; day <= 31; day++) {
        const date = `0000-${pad(month)}-${pad(day)}`
        for (const text of [date, `${date}T23:59:59.999+23:59`, `${date}T00:00-23:59`, `${date}T12:30Z`]) {
          const decoded = decodeFrom(text)
          expect({
            text,
            ok: Either.isRight(decoded) && !Number.isNaN(decoded.right.createdFrom?.getTime()),
          }).toEqual({
            text,
            ok: true,
          })
        }
      }
    }
  })

  it("refuse a month, day, hour, minute, second or zone out of range, naming the parameter, as documented", () => {
    const json = JSONSchema.fromAST(OrderListQuery.ast, {
      definitions: {},
      target: "openApi3.1",
    }) as unknown as {
      properties: Record<string, { pattern: string }>
    }
    const documented = new RegExp(json.properties.createdFrom?.pattern ?? "")
    for (const text of [
      "2026-13-01",
      "2026-00-10",
      "2026-01-00",
      "2026-01-32",
      "2026-01-01T24:00Z",
      "2026-01-01T10:60Z",
      "2026-01-01T10:00:60Z",
      "2026-01-01T10:00+24:00",
      "2026-01-01T10:00",
    ]) {
      expect({ text, refused: decodeFrom(text) }).toMatchObject({
        text,
        refused: Either.left({ field: "createdFrom" }),
      })
      expect({ text, documented: documented.test(text) }).toEqual({ text, documented: false })
    }
  })
})
