import { Ledger, type OrderId, OrderRepository, ProductCatalog } from "@settle/domain"
import { Effect, Option } from "effect"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { auditTrail, comparable } from "./support/changes.js"
import { json, ops, opsHere } from "./support/cli.js"
import { type ReviewShop, seedReviewShop } from "./support/reviewShop.js"
import { freshDatabase } from "./support/store.js"

const database = freshDatabase()
let shop: ReviewShop

beforeAll(async () => {
  shop = await seedReviewShop(database.storage)
})
afterAll(() => database.drop())

const REASON = "RISK-7: customer confirmed the amount with their bank"
/** The server's Stripe settings, pointed at stripe-mock. */
const stripe = () => ({
  ...database.env,
  STRIPE_SECRET_KEY: "sk_test_settleOpsReview",
  STRIPE_API_BASE_URL: inject("stripeMockUrl"),
})

const orderOf = (id: OrderId) =>
  database.read(
    Effect.map(
      Effect.flatMap(OrderRepository, (orders) => orders.findById(id)),
      Option.getOrThrow,
    ),
  )

const ledgerOf = (id: OrderId) => database.read(Effect.flatMap(Ledger, (ledger) => ledger.listByOrder(id)))

const mugStock = () =>
  database.read(
    Effect.map(
      Effect.flatMap(ProductCatalog, (catalog) => catalog.list()),
      (all) => all[0]?.stock,
    ),
  )

const reviewAudit = async (id: OrderId) =>
  (await auditTrail(database))
    .filter((record) => record.orderId === id && record.action.startsWith("order.review_"))
    .map((record) => [record.action, record.actor, record.reason])

describe("pnpm ops review-accept (runbook scenario 9)", () => {
  it("--dry-run writes nothing and predicts the run; the run confirms the order as paid; a repeat changes nothing", async () => {
    const id = shop.toAccept.id
    const before = await database.dump()
    const rehearsal = await ops(
      ["review-accept", id, "--reason", REASON, "--dry-run", "--json"],
      database.env,
    )
    expect(rehearsal.code).toBe(0)
    expect(await database.dump()).toEqual(before)
    const predicted = json(rehearsal)
    expect(predicted).toMatchObject({ ok: true, dryRun: true, result: "accepted", status: "confirmed" })

    const run = await opsHere(["review-accept", "--order", id, "--reason", REASON, "--json"], database.env)
    expect(run.code).toBe(0)
    const done = json(run)
    expect(done).toMatchObject({
      dryRun: false,
      orderId: id,
      result: "accepted",
      status: "confirmed",
      processedAt: expect.any(String),
      actor: "ops-cli:oncall",
    })
    expect(comparable(done.changes)).toEqual(comparable(predicted.changes))
    expect(comparable(done.changes)).toEqual(
      expect.arrayContaining([
        { record: `order ${id}`, field: "status", before: "payment_review", after: "confirmed" },
        { record: `order ${id}`, field: "webhook.processedAt", before: null, after: "<instant>" },
      ]),
    )
    expect((await ledgerOf(id)).map((e) => [e.kind, e.amount.amount, e.idempotencyKey])).toEqual([
      ["payment", 100, `checkout:${id}`],
    ])
    expect(await reviewAudit(id)).toEqual([["order.review_accept", "ops-cli:oncall", REASON]])

    const settled = await database.dump()
    const again = await opsHere(["review-accept", id, "--reason", REASON], database.env)
    expect(again.code).toBe(0)
    expect(again.stdout).toContain(`Resolved the review of order ${id}: already_accepted, status confirmed`)
    expect(again.stdout).toContain("Nothing changed.")
    expect(await database.dump()).toEqual(settled)
  })

  it("refuses an order that is not held for review (exit 1), and changes nothing", async () => {
    const before = await database.dump()
    const refused = await opsHere(["review-accept", shop.confirmed.id, "--reason", REASON], database.env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("refused: the order is confirmed, not payment_review")
    const asJson = await opsHere(["review-refund", shop.confirmed.id, "--reason", REASON, "--json"], stripe())
    expect(json(asJson)).toMatchObject({ ok: false, error: { code: "ILLEGAL_TRANSITION" } })
    expect(await database.dump()).toEqual(before)
  })
})

describe("pnpm ops review-refund (runbook scenario 9)", () => {
  it("needs STRIPE_SECRET_KEY except for a dry run, which sends nothing to Stripe and writes nothing", async () => {
    const id = shop.toRefund.id
    const before = await database.dump()
    const noKey = await opsHere(["review-refund", id, "--reason", REASON, "--json"], database.env)
    expect(noKey.code).toBe(1)
    expect(json(noKey)).toMatchObject({ error: { code: "PAYMENT_PROVIDER_UNAVAILABLE" } })
    const rehearsal = await opsHere(
      ["review-refund", id, "--reason", REASON, "--dry-run", "--json"],
      database.env,
    )
    expect(rehearsal.code).toBe(0)
    expect(json(rehearsal)).toMatchObject({
      dryRun: true,
      result: "refunded",
      status: "refunded",
      refund: { id: `refund:${id}:0`, amount: 100, gatewayRefundId: "re_dry_run" },
    })
    expect(await database.dump()).toEqual(before)
  })

  it("refunds the captured amount through Stripe once, books it, releases the stock, closes the order", async () => {
    const id = shop.toRefund.id
    const stockBefore = await mugStock()
    const run = await opsHere(["review-refund", id, "--reason", "RISK-8: card testing"], stripe())
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      `Resolved the review of order ${id}: refunded, status refunded, refund refund:${id}:0`,
    )
    const order = await orderOf(id)
    expect(order).toMatchObject({ status: "refunded", payment: { amountRefunded: 100 } })
    const gatewayRefundId = order.refunds[0]?.gatewayRefundId
    expect(gatewayRefundId).toMatch(/^re_/)
    expect(
      (await ledgerOf(id)).map((e) => [e.kind, e.amount.amount, e.externalId, e.idempotencyKey]),
    ).toEqual([
      ["payment", 100, order.payment.paymentIntentId, `checkout:${id}`],
      ["refund", 100, gatewayRefundId, `refund:${id}:0`],
    ])
    // The two mugs it held go back on sale.
    expect(await mugStock()).toEqual({
      ...stockBefore,
      available: (stockBefore?.available ?? 0) + 2,
      reserved: (stockBefore?.reserved ?? 0) - 2,
    })
    expect(await reviewAudit(id)).toEqual([["order.review_refund", "ops-cli:oncall", "RISK-8: card testing"]])

    const settled = await database.dump()
    const again = await opsHere(["review-refund", id, "--reason", "again", "--json"], stripe())
    expect(json(again)).toMatchObject({ ok: true, result: "already_refunded", changes: [] })
    expect(await database.dump()).toEqual(settled)
    const accept = await opsHere(["review-accept", id, "--reason", REASON, "--json"], database.env)
    expect(json(accept)).toMatchObject({ ok: false, error: { code: "ILLEGAL_TRANSITION" } })
  })

  it("reads the order from a bare argument or --order, and refuses a wrong command line with exit 2", async () => {
    const id = shop.toRefund.id
    for (const args of [
      ["review-refund", "--reason", REASON],
      ["review-refund", id],
      ["review-refund", id, "--order", id, "--reason", REASON],
      ["review-accept", id, "ord_other", "--reason", REASON],
      ["review-accept", "not an id!", "--reason", REASON],
    ]) {
      const run = await opsHere(args, database.env)
      expect([args.join(" "), run.code]).toEqual([args.join(" "), 2])
      expect(run.stderr).toContain(`Usage: pnpm ops ${args[0]} <orderId> --reason`)
    }
  })
})
