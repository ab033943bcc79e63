import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BrokenShop, seedBrokenShop } from "./support/brokenShop.js"
import { json, ops, opsHere } from "./support/cli.js"
import { freshDatabase } from "./support/store.js"

const database = freshDatabase()
let shop: BrokenShop

beforeAll(async () => {
  shop = await seedBrokenShop(database.storage)
})
afterAll(() => database.drop())

const ids = (rows: unknown, key: string): ReadonlyArray<unknown> =>
  (rows as ReadonlyArray<Record<string, unknown>>).map((row) => row[key])

describe("the runbook's queries, on a store seeded with its broken states", () => {
  it("each finds exactly its broken records, with the fields on-call needs, as JSON", async () => {
    const [stuckPaid, failedInvoices, reservations, events] = await Promise.all(
      ["stuck-paid", "failed-invoices", "stuck-reservations", "unfinalized-events"].map((command) =>
        ops([command, "--json"], database.env),
      ),
    )
    const paid = json(stuckPaid ?? expect.fail("no run"))
    expect(stuckPaid?.code).toBe(0)
    expect(ids(paid.orders, "orderId")).toEqual([shop.stuck.order.id])
    expect(paid.orders).toEqual([
      expect.objectContaining({
        status: "paid",
        sessionId: shop.stuck.order.payment.sessionId,
        paymentIntentId: shop.stuck.event.paymentIntentId,
        processedAt: null,
        total: { amount: 1500, currency: "EUR" },
      }),
    ])
    expect(paid).toMatchObject({
      ok: true,
      command: "stuck-paid",
      olderThan: "10m",
      count: 1,
      truncated: false,
    })

    const invoices = json(failedInvoices ?? expect.fail("no run"))
    expect(ids(invoices.orders, "orderId")).toEqual([shop.failedInvoice.id])
    expect(invoices.orders).toEqual([
      expect.objectContaining({
        invoice: expect.objectContaining({ status: "failed", attempts: 1, lastError: expect.any(String) }),
      }),
    ])

    const leaked = json(reservations ?? expect.fail("no run"))
    expect(leaked.reservations).toEqual([
      expect.objectContaining({ orderId: shop.leaked.id, couponCode: "SAVE10", orderStatus: "pending" }),
    ])

    const unfinalized = json(events ?? expect.fail("no run"))
    expect(unfinalized.events).toEqual([
      expect.objectContaining({
        stripeEventId: shop.stuck.event.eventId,
        status: "error",
        orderId: shop.stuck.order.id,
        sessionId: shop.stuck.order.payment.sessionId,
        amountMismatch: false,
      }),
      expect.objectContaining({
        stripeEventId: shop.reviewed.event.eventId,
        lastError: "amount_mismatch",
        amountMismatch: true,
      }),
    ])
  })

  it("--older-than moves the runbook's 10-minute horizon, and --limit says when it cut the list", async () => {
    const [paid, events, limited] = await Promise.all([
      opsHere(["stuck-paid", "--older-than", "0", "--json"], database.env),
      opsHere(["unfinalized-events", "--older-than", "30s", "--json"], database.env),
      opsHere(["stuck-paid", "--older-than", "0", "--limit", "1", "--json"], database.env),
    ])
    expect([...ids(json(paid).orders, "orderId")].sort()).toEqual(
      [shop.stuck.order.id, shop.recentStuck.order.id].sort(),
    )
    expect([...ids(json(events).events, "stripeEventId")].sort()).toEqual(
      [shop.stuck.event.eventId, shop.reviewed.event.eventId, shop.recentStuck.event.eventId].sort(),
    )
    expect(json(limited)).toMatchObject({ count: 1, truncated: true })
  })

  it("prints a table a person reads, with the recovery step the runbook gives", async () => {
    const run = await opsHere(["stuck-paid"], database.env)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(shop.stuck.order.id)
    expect(run.stdout).toContain(String(shop.stuck.order.payment.sessionId))
    expect(run.stdout).toContain("15.00 EUR")
    expect(run.stdout).toContain("pnpm ops replay --session <sessionId>")
    expect(run.stdout).not.toContain(shop.recentStuck.order.id)
  })

  it("refuses a malformed horizon or limit as usage (exit 2), naming the option, before touching the store", async () => {
    const [horizon, limit] = await Promise.all([
      opsHere(["stuck-paid", "--older-than", "ten minutes"], database.env),
      opsHere(["failed-invoices", "--limit", "0", "--json"], database.env),
    ])
    expect(horizon.code).toBe(2)
    expect(horizon.stderr).toContain("--older-than must be a duration")
    expect(limit.code).toBe(2)
    expect(json(limit)).toMatchObject({
      ok: false,
      error: { code: "USAGE", message: expect.stringContaining("--limit") },
    })
  })
})

describe("the store the environment names", () => {
  it("without MONGO_URI: exit 1 saying what to set", async () => {
    const run = await opsHere(["stuck-paid", "--json"])
    expect(run.code).toBe(1)
    expect(json(run)).toMatchObject({
      ok: false,
      error: { code: "MONGO_URI_MISSING", message: expect.stringContaining("MONGO_URI is not set") },
    })
  })

  it("with a MONGO_URI of the wrong scheme: exit 1 with runbook scenario 8's message", async () => {
    const run = await opsHere(["failed-invoices"], { MONGO_URI: "postgres://db.example.com/shop" })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('MONGO_URI must start with "mongodb://" or "mongodb+srv://"')
    expect(run.stderr).toContain("pnpm ops doctor")
  })

  it("unreachable: exit 1 with the driver's reason, its password redacted", async () => {
    const run = await opsHere(["stuck-reservations", "--json"], {
      MONGO_URI: "mongodb://ops:s3cret-password@127.0.0.1:9/shop",
    })
    expect(run.code).toBe(1)
    expect(json(run)).toMatchObject({ ok: false, error: { code: "STORE_UNAVAILABLE" } })
    expect(run.stdout).not.toContain("s3cret-password")
  })
})
