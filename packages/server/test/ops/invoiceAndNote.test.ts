import { type OrderId, OrderRepository } from "@settle/domain"
import { Effect, Option } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BrokenShop, seedBrokenShop } from "./support/brokenShop.js"
import { auditTrail } from "./support/changes.js"
import { json, opsHere } from "./support/cli.js"
import { freshDatabase } from "./support/store.js"

const database = freshDatabase()
let shop: BrokenShop

beforeAll(async () => {
  shop = await seedBrokenShop(database.storage)
})
afterAll(() => database.drop())

const invoiceOf = (orderId: OrderId) =>
  database.read(
    Effect.map(
      Effect.flatMap(OrderRepository, (orders) => orders.findById(orderId)),
      (order) => Option.getOrThrow(order).invoice,
    ),
  )

describe("pnpm ops invoice-retry (runbook scenario 2)", () => {
  it("--dry-run names the invoice and the mode, refuses what the run would refuse, and writes nothing", async () => {
    const before = await database.dump()
    const [one, job, refused] = await Promise.all([
      opsHere(["invoice-retry", "--order", shop.failedInvoice.id, "--reason", "provider back", "--dry-run"], {
        ...database.env,
        INVOICE_MODE: "manual",
      }),
      opsHere(["invoice-retry", "--reason", "provider back", "--dry-run", "--json"], database.env),
      opsHere(
        ["invoice-retry", "--order", shop.confirmed.id, "--reason", "provider back", "--dry-run"],
        database.env,
      ),
    ])
    expect(one.code).toBe(0)
    expect(one.stdout).toContain(`failed invoice of order ${shop.failedInvoice.id}`)
    expect(one.stdout).toContain("in manual mode")
    expect(json(job)).toMatchObject({ dryRun: true, mode: "none" })
    expect((json(job).due as ReadonlyArray<{ orderId: string }>).map((o) => o.orderId).sort()).toEqual(
      [shop.failedInvoice.id, shop.confirmed.id].sort(),
    )
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("only a failed invoice is retried")
    expect(await database.dump()).toEqual(before)
  })

  it("--order retries that failed invoice once in the mode in force, audited with the reason", async () => {
    const run = await opsHere(
      [
        "invoice-retry",
        "--order",
        shop.failedInvoice.id,
        "--reason",
        "INC-7: provider outage, manual",
        "--json",
      ],
      { ...database.env, INVOICE_MODE: "manual" },
    )
    expect(run.code).toBe(0)
    expect(json(run)).toMatchObject({ result: "manual", invoice: { status: "manual", attempts: 2 } })
    expect(await invoiceOf(shop.failedInvoice.id)).toMatchObject({ status: "manual", lastError: null })
    expect((await auditTrail(database)).filter((r) => r.action === "order.invoice_retry")).toEqual([
      expect.objectContaining({ orderId: shop.failedInvoice.id, actor: "ops-cli:oncall" }),
    ])
    const again = await opsHere(
      ["invoice-retry", "--order", shop.failedInvoice.id, "--reason", "again", "--json"],
      database.env,
    )
    expect(again.code).toBe(1)
    expect(json(again)).toMatchObject({ error: { code: "ILLEGAL_TRANSITION" } })
  })

  it("without --order runs the invoice job once, order by order, and audits the run", async () => {
    const run = await opsHere(["invoice-retry", "--reason", "INC-7: re-run the retry job", "--json"], {
      ...database.env,
      INVOICE_MODE: "none",
    })
    expect(run.code).toBe(0)
    expect(json(run)).toMatchObject({ job: "invoice-retry", report: { none: 1, failed: 0, errors: 0 } })
    expect(await invoiceOf(shop.confirmed.id)).toMatchObject({ status: "none" })
    expect((await auditTrail(database)).filter((r) => r.action === "job.run")).toEqual([
      expect.objectContaining({
        orderId: null,
        reason: "INC-7: re-run the retry job",
        after: expect.objectContaining({ job: "invoice-retry", outcome: "succeeded" }),
      }),
    ])
  })
})

describe("pnpm ops note", () => {
  it("records one internal note as an audit record; --dry-run and bad input write nothing", async () => {
    const note = ["note", "--order", shop.leaked.id, "--text", "INC-9: customer called, coupon kept"]
    const before = await database.dump()
    const [rehearsal, missing, unknown] = await Promise.all([
      opsHere([...note, "--dry-run", "--json"], database.env),
      opsHere(["note", "--order", shop.leaked.id], database.env),
      opsHere(["note", "--order", "ord_nope", "--text", "x", "--json"], database.env),
    ])
    expect(json(rehearsal)).toMatchObject({
      dryRun: true,
      changes: [
        {
          record: `audit ${shop.leaked.id}`,
          field: "+order.note",
          after: "ops-cli:oncall: INC-9: customer called, coupon kept",
        },
      ],
    })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("--text is required")
    expect(unknown.code).toBe(1)
    expect(json(unknown)).toMatchObject({ error: { code: "ORDER_NOT_FOUND" } })
    expect(await database.dump()).toEqual(before)

    const run = await opsHere([...note, "--actor", "alice"], database.env)
    expect(run.code).toBe(0)
    expect((await auditTrail(database)).filter((r) => r.action === "order.note")).toEqual([
      expect.objectContaining({
        orderId: shop.leaked.id,
        actor: "ops-cli:alice",
        reason: "INC-9: customer called, coupon kept",
      }),
    ])
  })
})
