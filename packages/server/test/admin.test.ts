import { request } from "node:http"
import { describe, expect, it } from "vitest"
import { adminToken, call, errorOf, startTestServer } from "./support/server.js"

const bearer = async (claims?: Record<string, unknown>) => ({
  Authorization: `Bearer ${await adminToken(claims)}`,
})

const send = async (url: string, method: string, body?: unknown, claims?: Record<string, unknown>) =>
  call(url, {
    method,
    headers: {
      ...(await bearer(claims)),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

const TEA = { sku: "TEA-100G", name: "Green tea, 100 g", price: { amount: 900, currency: "EUR" }, stock: 5 }

describe("admin authentication", () => {
  it("answers 401 with a Bearer challenge without a token, and 403 for a token without the admin role", async () => {
    const server = await startTestServer()
    const url = `${server.url}/api/v1/admin/products`
    const none = await call(url)
    expect(none.status).toBe(401)
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer /)
    expect(errorOf(none).code).toBe("UNAUTHORIZED")
    const garbage = await call(url, { headers: { Authorization: "Bearer not.a.jwt" } })
    expect(garbage.status).toBe(401)
    const shopper = await send(url, "GET", undefined, { role: "customer" })
    expect(shopper.status).toBe(403)
    expect(errorOf(shopper).code).toBe("FORBIDDEN")
  })

  it("refuses a tokenless upload-sized body with 401 before reading it", async () => {
    const server = await startTestServer({ bodyLimitBytes: 1024 })
    const { port } = new URL(server.url)
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/api/v1/admin/products",
          headers: { "Content-Type": "application/json", "Content-Length": String(10 * 1024 * 1024) },
        },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on("error", reject)
      req.write("{") // the rest never comes: the answer must not wait for it
    })
    expect(status).toBe(401)
  })
})

describe("admin products", () => {
  it("creates, lists, reads, updates, adds stock and archives", async () => {
    const server = await startTestServer()
    const base = `${server.url}/api/v1/admin/products`
    const created = await send(base, "POST", TEA)
    expect(created.status).toBe(201)
    const product = (created.body as { product: { id: string; version: number } }).product
    expect(product).toMatchObject({
      sku: "TEA-100G",
      stock: { available: 5, reserved: 0, committed: 0 },
      active: true,
    })
    expect(product).not.toHaveProperty("holds")
    expect(created.headers.get("location")).toBe(`/api/v1/admin/products/${product.id}`)

    const listed = await send(base, "GET")
    expect((listed.body as { products: Array<{ sku: string }> }).products.map((p) => p.sku)).toContain(
      "TEA-100G",
    )
    expect((await send(`${base}/${product.id}`, "GET")).body).toMatchObject({ product: { id: product.id } })

    const renamed = await send(`${base}/${product.id}`, "PATCH", {
      name: "Sencha, 100 g",
      expectedVersion: 0,
    })
    expect(renamed.status).toBe(200)
    expect(renamed.body).toMatchObject({ product: { name: "Sencha, 100 g", version: 1 } })
    const stale = await send(`${base}/${product.id}`, "PATCH", { name: "Old", expectedVersion: 0 })
    expect([stale.status, errorOf(stale).code]).toEqual([409, "VERSION_CONFLICT"])

    const stocked = await send(`${base}/${product.id}/stock`, "POST", { quantity: 10 })
    expect(stocked.body).toMatchObject({ product: { stock: { available: 15 } } })

    const archived = await send(`${base}/${product.id}`, "DELETE")
    expect(archived.status).toBe(200)
    expect(archived.body).toMatchObject({ product: { active: false } })
  })

  it("maps refusals: 409 duplicate sku, 404 unknown id, 400 naming the field for bad input and operators", async () => {
    const server = await startTestServer()
    const base = `${server.url}/api/v1/admin/products`
    const duplicate = await send(base, "POST", { ...TEA, sku: "MUG" })
    expect([duplicate.status, errorOf(duplicate).code]).toEqual([409, "DUPLICATE_KEY"])
    const missing = await send(`${base}/prd_missing`, "GET")
    expect([missing.status, errorOf(missing).code]).toEqual([404, "PRODUCT_NOT_FOUND"])
    const negative = await send(base, "POST", { ...TEA, stock: -1 })
    expect([negative.status, errorOf(negative).details.field]).toEqual([400, "stock"])
    const injected = await send(`${base}/prod_demo_1`, "PATCH", { name: { $gt: "" } })
    expect([injected.status, errorOf(injected).details.field]).toEqual([400, "name"])
    const stock = await send(`${base}/prod_demo_1/stock`, "POST", { quantity: 0 })
    expect([stock.status, errorOf(stock).details.field]).toEqual([400, "quantity"])
    const wrongMethod = await send(`${base}/prod_demo_1`, "PUT", {})
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get("allow")).toBe("DELETE, GET, HEAD, PATCH")
  })
})

describe("admin coupons", () => {
  it("creates, lists, reads, updates and deactivates", async () => {
    const server = await startTestServer()
    const base = `${server.url}/api/v1/admin/coupons`
    const created = await send(base, "POST", {
      code: "SPRING5",
      discount: { _tag: "amount", amount: { amount: 500, currency: "EUR" } },
      maxRedemptions: 10,
    })
    expect(created.status).toBe(201)
    const coupon = (created.body as { coupon: { id: string } }).coupon
    expect(coupon).toMatchObject({ code: "SPRING5", available: 10, reservedCount: 0, active: true })
    expect(coupon).not.toHaveProperty("holds")
    const listed = await send(base, "GET")
    expect((listed.body as { coupons: Array<{ code: string }> }).coupons.map((c) => c.code)).toEqual(
      expect.arrayContaining(["SPRING5", "WELCOME10"]),
    )
    expect((await send(`${base}/${coupon.id}`, "GET")).body).toMatchObject({ coupon: { code: "SPRING5" } })
    const later = "2031-01-01T00:00:00.000Z"
    const moved = await send(`${base}/${coupon.id}`, "PATCH", { expiresAt: later })
    expect(moved.body).toMatchObject({ coupon: { expiresAt: later } })
    const off = await send(`${base}/${coupon.id}`, "DELETE")
    expect(off.body).toMatchObject({ coupon: { active: false } })
  })

  it("maps refusals: 409 duplicate code, 404 unknown id, 400 naming the field", async () => {
    const server = await startTestServer()
    const base = `${server.url}/api/v1/admin/coupons`
    const duplicate = await send(base, "POST", {
      code: "WELCOME10",
      discount: { _tag: "percent", percent: 5 },
      maxRedemptions: 1,
    })
    expect([duplicate.status, errorOf(duplicate).code]).toEqual([409, "DUPLICATE_KEY"])
    const missing = await send(`${base}/coupon_missing`, "DELETE")
    expect([missing.status, errorOf(missing).code]).toEqual([404, "COUPON_NOT_FOUND"])
    const bad = await send(base, "POST", {
      code: "X",
      discount: { _tag: "percent", percent: 5 },
      maxRedemptions: 1,
    })
    expect([bad.status, errorOf(bad).details.field]).toEqual([400, "code"])
  })
})

/** Every page of `list` from the first on, following nextCursor; `query` adds parameters to each call. */
const allPages = async (url: string, plural: string, query: string) => {
  const pages: Array<Array<Record<string, unknown>>> = []
  let cursor: string | null = null
  do {
    const at: string = cursor === null ? `${url}?${query}` : `${url}?${query}&cursor=${cursor}`
    const answer = await send(at, "GET")
    expect(answer.status).toBe(200)
    const body = answer.body as Record<string, unknown> & { nextCursor: string | null }
    pages.push(body[plural] as Array<Record<string, unknown>>)
    cursor = body.nextCursor
  } while (cursor !== null && pages.length < 20)
  return pages
}

describe("admin lists: products, coupons, jobs (and orders)", () => {
  it("page by cursor and limit, in sku, code and catalog order, each item once", async () => {
    const server = await startTestServer()
    const products = `${server.url}/api/v1/admin/products`
    for (const sku of ["P-3", "P-1", "P-2"]) {
      expect((await send(products, "POST", { ...TEA, sku })).status).toBe(201)
    }
    const pages = await allPages(products, "products", "limit=2")
    expect(pages.slice(0, -1).every((page) => page.length === 2)).toBe(true)
    const skus = pages.flat().map((product) => product.sku as string)
    expect(skus).toEqual([...skus].sort())
    expect(new Set(skus).size).toBe(skus.length)
    expect(skus).toEqual(expect.arrayContaining(["P-1", "P-2", "P-3"]))

    const coupons = `${server.url}/api/v1/admin/coupons`
    const codes = (await allPages(coupons, "coupons", "limit=1"))
      .flat()
      .map((coupon) => coupon.code as string)
    expect(codes).toEqual([...codes].sort())
    expect(codes).toContain("WELCOME10")

    const jobs = (await allPages(`${server.url}/api/v1/admin/jobs`, "jobs", "limit=3")).map((page) =>
      page.map((job) => job.name),
    )
    expect(jobs).toEqual([["expiry", "repair", "invoice-retry"], ["reconcile"]])
  })

  it("refuse an unknown, repeated or out-of-range parameter with 400 naming it, like the orders list", async () => {
    const server = await startTestServer()
    for (const list of ["products", "coupons", "orders", "jobs"]) {
      const url = `${server.url}/api/v1/admin/${list}`
      for (const [query, field] of [
        ["limt=2", "limt"],
        ["limit=0", "limit"],
        ["limit=101", "limit"],
        ["limit=1&limit=2", "limit"],
        ["cursor=%24%24", "cursor"],
      ]) {
        const answer = await send(`${url}?${query}`, "GET")
        expect([list, query, answer.status, errorOf(answer).code, errorOf(answer).details.field]).toEqual([
          list,
          query,
          400,
          "INVALID_INPUT",
          field,
        ])
      }
      // Well-formed but not issued by this list (base64url of the JSON `1`): 422, not a 400.
      const unknown = await send(`${url}?cursor=MQ`, "GET")
      expect([list, unknown.status, errorOf(unknown).code]).toEqual([list, 422, "UNKNOWN_CURSOR"])
    }
  })
})
