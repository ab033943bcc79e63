import { describe, expect, it } from "vitest"
import type { RunningServer, ServerSettings } from "../src/bootstrap/start.js"
import {
  adminGet,
  adminPost,
  confirmedOrder,
  databaseOf,
  ledgerOf,
  mongoSettings,
  stockBeans,
  storedOrder,
} from "./support/adminOrders.js"
import {
  type CheckoutBody,
  checkout,
  deliver,
  errorOf,
  inboxRecord,
  onServer,
  PinoLoggerFor,
  postJson,
  sandboxControl,
  sessionOf,
  startFailingStoreServer,
  startTestServer,
} from "./support/server.js"

/**
 * The runbook's scenario 1: the process dies after `pending → paid` and the payment ledger entry, before
 * `paid → confirmed`. The third order or inbox call of the delivery is markFinalized (receive, then
 * pending → paid, which verifies the session and amount in its filter and answers the paid order); the
 * assertions below check that this is the state it left.
 */
const CRASH_AT_MARK_FINALIZED = 3

const crashedMidFinalization = async (settings: Partial<ServerSettings> = {}) => {
  const { server, failAt } = await startFailingStoreServer(settings)
  return { server, failAt }
}

const stuckPaidOrder = async (server: RunningServer, failAt: (k: number | null) => void) => {
  const placed = await checkout(server)
  const event = await onServer(server, (await sandboxControl(server)).pay(sessionOf(placed)))
  failAt(CRASH_AT_MARK_FINALIZED)
  expect((await deliver(server, event)).status).toBe(503)
  failAt(null)
  const order = await storedOrder(server, placed.order.id)
  expect(order).toMatchObject({ status: "paid", webhook: { processedAt: null } })
  expect((await ledgerOf(server, placed.order.id)).filter((e) => e.kind === "payment")).toHaveLength(1)
  return { placed, event }
}

const replayUrl = (server: RunningServer) => `${server.url}/api/v1/admin/payments/replay`

/** Replay turns the stuck order confirmed, stamps processedAt, books no second payment, and is audited. */
const expectRecovered = async (
  server: RunningServer,
  placed: CheckoutBody,
  replay: unknown,
  result: "Finalized" | "Processed",
) => {
  const answer = await adminPost(replayUrl(server), replay)
  expect(answer.status).toBe(200)
  expect(answer.body).toMatchObject({
    replay: { orderId: placed.order.id, result, status: "confirmed" },
    order: { status: "confirmed", webhook: { processedAt: expect.any(String) } },
  })
  const order = await storedOrder(server, placed.order.id)
  expect(order.status).toBe("confirmed")
  expect(order.webhook.processedAt).not.toBeNull()
  expect((await ledgerOf(server, placed.order.id)).filter((e) => e.kind === "payment")).toHaveLength(1)
  const detail = await adminGet(`${server.url}/api/v1/admin/orders/${placed.order.id}`)
  expect(detail.body).toMatchObject({
    audit: [{ action: "payment.replay", actor: "ops@example.com", reason: "runbook 1: stuck paid" }],
  })
  // Retries are safe only while processedAt is null: a second replay is refused and changes nothing.
  const again = await adminPost(replayUrl(server), replay)
  expect(again.status).toBe(409)
  expect(errorOf(again).code).toBe("ALREADY_FINALIZED")
  expect((await storedOrder(server, placed.order.id)).webhook.processedAt).toEqual(order.webhook.processedAt)
}

describe("POST /api/v1/admin/payments/replay", () => {
  it("by sessionId: a stuck paid order left by a crash is confirmed, once", async () => {
    const { server, failAt } = await crashedMidFinalization()
    const { placed } = await stuckPaidOrder(server, failAt)
    await expectRecovered(
      server,
      placed,
      { sessionId: sessionOf(placed), reason: "runbook 1: stuck paid" },
      "Finalized",
    )
  })

  it("by stripeEventId: the recorded event is run again, ends processed, and the replay is logged", async () => {
    const lines: Array<string> = []
    const { server, failAt } = await crashedMidFinalization({ logger: PinoLoggerFor(lines) })
    const { placed, event } = await stuckPaidOrder(server, failAt)
    // An unfinished event goes through the webhook handler again, so the result is the handler's.
    const replay = { stripeEventId: event.eventId, reason: "runbook 1: stuck paid" }
    await expectRecovered(server, placed, replay, "Processed")
    const record = await inboxRecord(server, event.eventId)
    expect(record).toMatchObject({ value: { status: "processed" } })
    const logged = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => String(entry.msg).startsWith("[stripe.webhook] admin replay"))
    expect(logged).toEqual([
      expect.objectContaining({
        orderId: placed.order.id,
        stripeEventId: event.eventId,
        actor: "ops@example.com",
      }),
    ])
  })

  it("refuses a finalized order with 409 ALREADY_FINALIZED and unknown keys with 404", async () => {
    const server = await startTestServer()
    const placed = await confirmedOrder(server)
    const finalized = await adminPost(replayUrl(server), { sessionId: sessionOf(placed), reason: "check" })
    expect(finalized.status).toBe(409)
    expect(errorOf(finalized)).toMatchObject({
      code: "ALREADY_FINALIZED",
      details: { orderId: placed.order.id },
    })
    const session = await adminPost(replayUrl(server), { sessionId: "cs_unknown", reason: "check" })
    expect(session.status).toBe(404)
    expect(errorOf(session).code).toBe("ORDER_NOT_FOUND")
    const event = await adminPost(replayUrl(server), { stripeEventId: "evt_unknown", reason: "check" })
    expect(event.status).toBe(404)
    expect(errorOf(event).code).toBe("EVENT_NOT_FOUND")
  })

  it("refuses bad bodies with 400 naming the field, and no token with 401, changing nothing", async () => {
    const server = await startTestServer()
    const placed = await checkout(server)
    const sessionId = sessionOf(placed)
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ reason: "which one?" }, "sessionId"],
      [{ sessionId, stripeEventId: "evt_1", reason: "both" }, "sessionId"],
      [{ sessionId }, "reason"],
      [{ sessionId, reason: " " }, "reason"],
      [{ sessionId: "cs_$bad", reason: "x" }, "sessionId"],
      [{ sessionId, reason: "x", actor: "someone-else" }, "actor"],
      [[sessionId], "(root)"],
    ]
    for (const [body, field] of cases) {
      const answer = await adminPost(replayUrl(server), body)
      expect({ body, status: answer.status }).toEqual({ body, status: 400 })
      expect({ body, field: errorOf(answer).details.field }).toEqual({ body, field })
    }
    expect((await postJson(replayUrl(server), { sessionId, reason: "no token" })).status).toBe(401)
    const detail = await adminGet(`${server.url}/api/v1/admin/orders/${placed.order.id}`)
    expect(detail.body).toMatchObject({ order: { status: "pending" }, audit: [] })
  })
})

describe("on MongoDB", () => {
  it("replays a stuck paid order left by a crash, as the runbook finds it", async () => {
    const settings = mongoSettings()
    const { server, failAt } = await crashedMidFinalization(settings)
    const db = await databaseOf(server)
    try {
      await stockBeans(server)
      const { placed } = await stuckPaidOrder(server, failAt)
      // Ten minutes on, the runbook's stuck paid query finds it.
      await db
        .collection("orders")
        .updateOne(
          { _id: placed.order.id as never },
          { $set: { updatedAt: new Date(Date.now() - 11 * 60_000) } },
        )
      const stuck = await db
        .collection("orders")
        .find({
          status: "paid",
          "webhook.processedAt": null,
          updatedAt: { $lt: new Date(Date.now() - 10 * 60 * 1000) },
        })
        .toArray()
      expect(stuck.map((doc) => doc._id)).toEqual([placed.order.id])
      const listed = await adminGet(`${server.url}/api/v1/admin/orders?stuck=paid`)
      expect((listed.body as { orders: Array<{ id: string }> }).orders.map((o) => o.id)).toEqual([
        placed.order.id,
      ])
      await expectRecovered(
        server,
        placed,
        { sessionId: sessionOf(placed), reason: "runbook 1: stuck paid" },
        "Finalized",
      )
      expect(
        await db.collection("ledgerentries").countDocuments({ orderId: placed.order.id, kind: "payment" }),
      ).toBe(1)
    } finally {
      await db.dropDatabase()
    }
  })
})
