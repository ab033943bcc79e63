import { fixtures } from "@settle/testkit"
import { describe, expect, it } from "vitest"
import {
  adminGet,
  adminPost,
  bearer,
  confirmedOrder,
  insertOrders,
  withMongoServer,
} from "./support/adminOrders.js"
import {
  adminToken,
  call,
  checkout,
  errorOf,
  postJson,
  sessionOf,
  startTestServer,
} from "./support/server.js"

interface ListedOrder {
  readonly id: string
  readonly status: string
  readonly email: string
  readonly payment: { readonly sessionId: string | null; readonly paymentIntentId: string | null }
  readonly webhook: { readonly processedAt: string | null }
}
interface Listing {
  readonly orders: ReadonlyArray<ListedOrder>
  readonly nextCursor: string | null
}

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000)

describe("GET /api/v1/admin/orders", () => {
  it("lists newest first with the operator's fields, never the customer's access token", async () => {
    const server = await startTestServer()
    const first = await checkout(server)
    const second = await confirmedOrder(server)
    const answer = await adminGet(`${server.url}/api/v1/admin/orders`)
    expect(answer.status).toBe(200)
    const listing = answer.body as Listing
    expect(listing.orders.map((o) => o.id)).toEqual([second.order.id, first.order.id])
    expect(listing.nextCursor).toBeNull()
    const eur = (amount: number) => ({ amount, currency: "EUR" })
    expect(listing.orders[0]).toMatchObject({
      status: "confirmed",
      // Every amount is money: integer minor units with their currency.
      items: [{ sku: "BEANS-1KG", unitPrice: eur(2400), quantity: 2 }],
      totals: { subtotal: eur(4800), discount: eur(0), total: eur(4800) },
      payment: { sessionId: sessionOf(second), amountReceived: eur(4800), amountRefunded: eur(0) },
      webhook: { processedAt: expect.any(String) },
    })
    expect(listing.orders[1]).toMatchObject({ payment: { amountReceived: null, amountRefunded: eur(0) } })
    expect(JSON.stringify(listing)).not.toContain(second.accessToken)
  })

  it("filters by status, session, payment intent, email, createdAt range, stuck=paid and invoice", async () => {
    const server = await startTestServer()
    const stuck = fixtures.anOrder({ status: "paid", createdAt: minutesAgo(40), updatedAt: minutesAgo(30) })
    const freshPaid = fixtures.anOrder({ status: "paid", createdAt: minutesAgo(3), updatedAt: minutesAgo(2) })
    const failed = fixtures.anOrder({
      status: "confirmed",
      customerEmail: "ada@example.com",
      createdAt: minutesAgo(20),
      invoice: fixtures.anInvoice({ status: "failed" }),
    })
    await insertOrders(server, stuck, freshPaid, failed)
    const confirmed = await confirmedOrder(server)
    const base = `${server.url}/api/v1/admin/orders`
    const ids = async (query: string) => {
      const answer = await adminGet(`${base}?${query}`)
      expect(answer.status).toBe(200)
      return (answer.body as Listing).orders.map((o) => o.id)
    }
    expect(await ids("status=paid")).toEqual([freshPaid.id, stuck.id])
    expect(await ids("stuck=paid")).toEqual([stuck.id])
    expect(await ids("invoice=failed")).toEqual([failed.id])
    expect(await ids("email=ada%40example.com")).toEqual([failed.id])
    expect(await ids(`sessionId=${sessionOf(confirmed)}`)).toEqual([confirmed.order.id])
    const detail = await adminGet(`${base}/${confirmed.order.id}`)
    const intent = (detail.body as { order: ListedOrder }).order.payment.paymentIntentId
    expect(await ids(`paymentIntentId=${intent}`)).toEqual([confirmed.order.id])
    const from = encodeURIComponent(minutesAgo(25).toISOString())
    const before = encodeURIComponent(minutesAgo(1).toISOString())
    expect(await ids(`createdFrom=${from}&createdBefore=${before}`)).toEqual([freshPaid.id, failed.id])
    expect(await ids("status=pending&invoice=failed")).toEqual([])
  })

  it("pages with limit and nextCursor until the last page, which has none", async () => {
    const server = await startTestServer()
    const seeded = [5, 4, 4, 3, 2].map((m) => fixtures.anOrder({ createdAt: minutesAgo(m) }))
    await insertOrders(server, ...seeded)
    const everything = (await adminGet(`${server.url}/api/v1/admin/orders?limit=100`)).body as Listing
    const seen: Array<string> = []
    let cursor: string | null = null
    let pages = 0
    do {
      const query: string = cursor === null ? "limit=2" : `limit=2&cursor=${cursor}`
      const page = (await adminGet(`${server.url}/api/v1/admin/orders?${query}`)).body as Listing
      seen.push(...page.orders.map((o) => o.id))
      cursor = page.nextCursor
      pages++
    } while (cursor !== null && pages < 10)
    expect(pages).toBe(3)
    expect(seen).toEqual(everything.orders.map((o) => o.id))
    expect(new Set(seen).size).toBe(seeded.length)
  })

  it("refuses bad filters with 400 naming the field", async () => {
    const server = await startTestServer()
    const base = `${server.url}/api/v1/admin/orders`
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["status=shipped", "status"],
      ["status=paid&status=pending", "status"],
      ["stuck=pending", "stuck"],
      ["invoice=lost", "invoice"],
      ["email=nobody", "email"],
      ["sessionId=%24gt", "sessionId"],
      ["createdFrom=yesterday", "createdFrom"],
      ["createdBefore=2030-01-01T10:00", "createdBefore"],
      ["limit=0", "limit"],
      ["limit=101", "limit"],
      ["limit=ten", "limit"],
      ["cursor=%24%24", "cursor"],
      ["staus=paid", "staus"],
    ]
    for (const [query, field] of cases) {
      const answer = await adminGet(`${base}?${query}`)
      expect({ query, status: answer.status }).toEqual({ query, status: 400 })
      expect({ query, field: errorOf(answer).details.field }).toEqual({ query, field })
    }
    // Each bound is well-formed; only their order is wrong, which no document can say: 422, not 400.
    const reversed = await adminGet(`${base}?createdFrom=2030-02-01&createdBefore=2030-01-01`)
    expect(reversed.status).toBe(422)
    expect(errorOf(reversed)).toMatchObject({ code: "INPUT_REFUSED", details: { field: "createdBefore" } })
    // Well-formed, but no cursor this list issued: no document can refuse it, so not a 400.
    const unknown = await adminGet(`${base}?cursor=not-a-cursor`)
    expect([unknown.status, errorOf(unknown).code, errorOf(unknown).details.field]).toEqual([
      422,
      "UNKNOWN_CURSOR",
      "cursor",
    ])
  })

  it("answers 401 without a token and 403 for a non-admin", async () => {
    const server = await startTestServer()
    const base = `${server.url}/api/v1/admin/orders`
    expect((await call(base)).status).toBe(401)
    const shopper = await call(base, {
      headers: { Authorization: `Bearer ${await adminToken({ role: "customer" })}` },
    })
    expect(shopper.status).toBe(403)
  })
})

describe("GET /api/v1/admin/orders/:id", () => {
  it("returns the order with its ledger entries and audit trail", async () => {
    const server = await startTestServer()
    const placed = await confirmedOrder(server)
    const url = `${server.url}/api/v1/admin/orders/${placed.order.id}`
    expect((await adminPost(`${url}/notes`, { note: "customer called about delivery" })).status).toBe(201)
    const answer = await adminGet(url)
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({
      order: { id: placed.order.id, status: "confirmed" },
      ledger: [
        {
          kind: "payment",
          amount: placed.order.totals.total,
          idempotencyKey: `checkout:${placed.order.id}`,
        },
      ],
      audit: [{ action: "order.note", actor: "ops@example.com", reason: "customer called about delivery" }],
    })
  })

  it("answers 404 for an unknown order and 400 naming the id for a malformed one", async () => {
    const server = await startTestServer()
    const unknown = await adminGet(`${server.url}/api/v1/admin/orders/ord_missing`)
    expect(unknown.status).toBe(404)
    expect(errorOf(unknown).code).toBe("ORDER_NOT_FOUND")
    const malformed = await adminGet(`${server.url}/api/v1/admin/orders/${encodeURIComponent("$where")}`)
    expect(malformed.status).toBe(400)
    expect(errorOf(malformed).details.field).toBe("id")
  })
})

describe("POST /api/v1/admin/orders/:id/notes", () => {
  it("records the note as an audit record with the token's actor: 201", async () => {
    const server = await startTestServer()
    const placed = await checkout(server)
    const answer = await adminPost(`${server.url}/api/v1/admin/orders/${placed.order.id}/notes`, {
      note: "  reissued invoice by hand  ",
    })
    expect(answer.status).toBe(201)
    expect(answer.body).toMatchObject({
      note: { action: "order.note", actor: "ops@example.com", reason: "reissued invoice by hand" },
    })
  })

  it("refuses bad notes with 4xx and records nothing", async () => {
    const server = await startTestServer()
    const placed = await checkout(server)
    const url = `${server.url}/api/v1/admin/orders/${placed.order.id}`
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{}, "note"],
      [{ note: "   " }, "note"],
      [{ note: "x".repeat(2001) }, "note"],
      [{ note: "ok", actor: "someone-else" }, "actor"],
      ["[1,", "body"],
    ]
    for (const [body, field] of cases) {
      const answer = await adminPost(`${url}/notes`, body)
      expect(answer.status).toBe(400)
      expect(errorOf(answer).details.field).toBe(field)
    }
    const plain = await call(`${url}/notes`, {
      method: "POST",
      headers: { ...(await bearer()), "Content-Type": "text/plain" },
      body: "note",
    })
    expect(plain.status).toBe(415)
    expect(
      (await adminPost(`${server.url}/api/v1/admin/orders/ord_missing/notes`, { note: "x" })).status,
    ).toBe(404)
    expect((await postJson(`${url}/notes`, { note: "no token" })).status).toBe(401)
    expect(((await adminGet(url)).body as { audit: Array<unknown> }).audit).toEqual([])
  })
})

describe("on MongoDB", () => {
  it("lists with filters and paging, and reads an order with its books", async () => {
    await withMongoServer(async (server) => {
      const stuck = fixtures.anOrder({ status: "paid", createdAt: minutesAgo(40), updatedAt: minutesAgo(30) })
      await insertOrders(server, stuck)
      const placed = await confirmedOrder(server)
      const base = `${server.url}/api/v1/admin/orders`
      const stuckOnly = (await adminGet(`${base}?stuck=paid`)).body as Listing
      expect(stuckOnly.orders.map((o) => o.id)).toEqual([stuck.id])
      const first = (await adminGet(`${base}?limit=1`)).body as Listing
      expect(first.orders.map((o) => o.id)).toEqual([placed.order.id])
      const second = (await adminGet(`${base}?limit=1&cursor=${first.nextCursor}`)).body as Listing
      expect(second).toEqual({ orders: [expect.objectContaining({ id: stuck.id })], nextCursor: null })
      const detail = await adminGet(`${base}/${placed.order.id}`)
      expect(detail.body).toMatchObject({ ledger: [{ kind: "payment" }], audit: [] })
    })
  })
})
