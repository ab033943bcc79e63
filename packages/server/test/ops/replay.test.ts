import { Ledger, OrderRepository } from "@settle/domain"
import { Effect, Option } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BrokenShop, seedBrokenShop } from "./support/brokenShop.js"
import { auditTrail, comparable } from "./support/changes.js"
import { json, ops, opsHere } from "./support/cli.js"
import { freshDatabase } from "./support/store.js"

const database = freshDatabase()
let shop: BrokenShop

beforeAll(async () => {
  shop = await seedBrokenShop(database.storage)
})
afterAll(() => database.drop())

const REASON = "INC-42: paid order stuck after a failover"

describe("pnpm ops replay (runbook scenario 1)", () => {
  it("--dry-run writes nothing and predicts the real run; the run confirms the stuck order once", async () => {
    const replay = ["replay", "--event", shop.stuck.event.eventId, "--reason", REASON, "--json"]
    const before = await database.dump()
    const rehearsal = await ops([...replay, "--dry-run"], database.env)
    expect(rehearsal.code).toBe(0)
    expect(await database.dump()).toEqual(before)
    const predicted = json(rehearsal)
    expect(predicted).toMatchObject({ ok: true, dryRun: true, result: "Processed", status: "confirmed" })

    const run = await ops(replay, database.env)
    expect(run.code).toBe(0)
    const done = json(run)
    expect(done).toMatchObject({
      dryRun: false,
      orderId: shop.stuck.order.id,
      status: "confirmed",
      processedAt: expect.any(String),
      paymentLedgerEntries: 1,
      actor: "ops-cli:oncall",
    })
    expect(comparable(done.changes)).toEqual(comparable(predicted.changes))
    expect(comparable(done.changes)).toEqual(
      expect.arrayContaining([
        { record: `order ${shop.stuck.order.id}`, field: "status", before: "paid", after: "confirmed" },
        {
          record: `order ${shop.stuck.order.id}`,
          field: "webhook.processedAt",
          before: null,
          after: "<instant>",
        },
        { record: `event ${shop.stuck.event.eventId}`, field: "status", before: "error", after: "processed" },
      ]),
    )

    // Runbook scenario 1's verification, read back through the domain's ports.
    const [order, payments] = await database.read(
      Effect.all([
        Effect.flatMap(OrderRepository, (orders) => orders.findById(shop.stuck.order.id)),
        Effect.flatMap(Ledger, (ledger) => ledger.listByOrder(shop.stuck.order.id)),
      ]),
    )
    expect(Option.getOrThrow(order)).toMatchObject({
      status: "confirmed",
      webhook: { processedAt: expect.any(Date) },
    })
    expect(payments.filter((entry) => entry.kind === "payment")).toHaveLength(1)
    expect((await auditTrail(database)).filter((record) => record.action === "payment.replay")).toEqual([
      expect.objectContaining({ orderId: shop.stuck.order.id, actor: "ops-cli:oncall", reason: REASON }),
    ])
    expect(json(await opsHere(["stuck-paid", "--json"], database.env))).toMatchObject({ count: 0 })
  })

  it("is refused once webhook.processedAt is set, by event or by session, and changes nothing", async () => {
    const before = await database.dump()
    const [byEvent, bySession] = await Promise.all([
      opsHere(["replay", "--event", shop.stuck.event.eventId, "--reason", REASON, "--json"], database.env),
      opsHere(
        ["replay", "--session", String(shop.confirmed.payment.sessionId), "--reason", REASON],
        database.env,
      ),
    ])
    expect(byEvent.code).toBe(1)
    expect(json(byEvent)).toMatchObject({ ok: false, error: { code: "ALREADY_FINALIZED" } })
    expect(bySession.code).toBe(1)
    expect(bySession.stderr).toContain("already finalized (webhook.processedAt is set)")
    expect(await database.dump()).toEqual(before)
  })

  it("is refused for a payment held in review (amount mismatch: never retried), and changes nothing", async () => {
    const before = await database.dump()
    const [byEvent, bySession] = await Promise.all([
      opsHere(["replay", "--event", shop.reviewed.event.eventId, "--reason", REASON, "--json"], database.env),
      opsHere(
        [
          "replay",
          "--session",
          String(shop.reviewed.order.payment.sessionId),
          "--reason",
          REASON,
          "--dry-run",
        ],
        database.env,
      ),
    ])
    expect(byEvent.code).toBe(1)
    expect(json(byEvent)).toMatchObject({ error: { code: "PAYMENT_REVIEW" } })
    expect(bySession.code).toBe(1)
    expect(bySession.stderr).toContain("Never retry on amount verification failure")
    expect(await database.dump()).toEqual(before)
  })

  it("by session asks Stripe for the session's state: without STRIPE_SECRET_KEY it says so and changes nothing", async () => {
    const before = await database.dump()
    const run = await opsHere(
      ["replay", "--session", String(shop.recentStuck.order.payment.sessionId), "--reason", REASON, "--json"],
      database.env,
    )
    expect(run.code).toBe(1)
    expect(json(run)).toMatchObject({
      error: {
        code: "PAYMENT_PROVIDER_UNAVAILABLE",
        message: expect.stringContaining("STRIPE_SECRET_KEY is not set"),
      },
    })
    expect(await database.dump()).toEqual(before)
  })

  it("refuses a malformed command line as usage (exit 2), naming what to fix", async () => {
    const event = shop.recentStuck.event.eventId
    const runs = await Promise.all([
      opsHere(["replay", "--reason", REASON], database.env),
      opsHere(["replay", "--event", event, "--session", "cs_1", "--reason", REASON], database.env),
      opsHere(["replay", "--event", event], database.env),
      opsHere(["replay", "--event", '{"$gt":""}', "--reason", REASON], database.env),
      opsHere(["replay", "--event", event, "--reason", REASON], { ...database.env, USER: "" }),
    ])
    expect(runs.map((run) => run.code)).toEqual([2, 2, 2, 2, 2])
    expect(runs.map((run) => run.stderr.split("\n")[0])).toEqual([
      "error: give exactly one of --session <sessionId> or --event <stripeEventId>",
      "error: give exactly one of --session <sessionId> or --event <stripeEventId>",
      expect.stringContaining("error: --reason is required"),
      expect.stringContaining("error: --event: StripeEventId has characters outside"),
      expect.stringContaining("error: --actor is required here"),
    ])
  })
})
