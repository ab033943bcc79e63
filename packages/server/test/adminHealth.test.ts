import { CouponReservationRepository, WebhookEventInbox } from "@settle/domain"
import { fixtures } from "@settle/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { RunningServer } from "../src/bootstrap/start.js"
import { adminGet, confirmedOrder, insertOrders, onStore, withMongoServer } from "./support/adminOrders.js"
import { adminToken, call, errorOf, startFailingStoreServer, startTestServer } from "./support/server.js"

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000)

const healthOf = (server: RunningServer) => adminGet(`${server.url}/api/v1/admin/health/orders`)

/**
 * One broken state of each runbook kind, plus its healthy twin that must not be counted: a paid order
 * already stamped, a reservation not yet expired, an unfinished event younger than ten minutes.
 */
const breakEverything = async (server: RunningServer) => {
  const stuck = fixtures.anOrder({ status: "paid", updatedAt: minutesAgo(30) })
  const stamped = fixtures.anOrder({
    status: "paid",
    webhook: { processedAt: minutesAgo(1), lastEventId: null },
  })
  const failed = fixtures.anOrder({ status: "confirmed", invoice: fixtures.anInvoice({ status: "failed" }) })
  await insertOrders(server, stuck, stamped, failed)
  const oldEvent = fixtures.anEvent()
  await onStore(
    server,
    Effect.gen(function* () {
      const reservations = yield* CouponReservationRepository
      yield* reservations.insert(fixtures.aReservation({ expiresAt: minutesAgo(5) }))
      yield* reservations.insert(fixtures.aReservation({ expiresAt: new Date(Date.now() + 600_000) }))
      const inbox = yield* WebhookEventInbox
      yield* inbox.receive(oldEvent, minutesAgo(15))
      yield* inbox.receive(fixtures.anEvent(), minutesAgo(2))
    }),
  )
  return { oldEvent }
}

const expectBroken = async (server: RunningServer) => {
  const { oldEvent } = await breakEverything(server)
  const answer = await healthOf(server)
  expect(answer.status).toBe(200)
  expect(answer.body).toMatchObject({
    checkedAt: expect.any(String),
    paidUnconfirmed: 1,
    invoiceFailed: 1,
    couponReservationLeaks: 1,
    webhookEventsUnfinalized: 1,
    webhookEventsUnfinalizedCapped: false,
    oldestUnfinalizedWebhookEvents: [
      {
        stripeEventId: oldEvent.eventId,
        type: "checkout.session.completed",
        status: "received",
        attempts: 1,
      },
    ],
  })
}

describe("GET /api/v1/admin/health/orders", () => {
  it("counts nothing on a healthy shop, finalized orders included", async () => {
    const server = await startTestServer()
    await confirmedOrder(server)
    const answer = await healthOf(server)
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({
      paidUnconfirmed: 0,
      invoiceFailed: 0,
      couponReservationLeaks: 0,
      webhookEventsUnfinalized: 0,
      oldestUnfinalizedWebhookEvents: [],
    })
  })

  it("counts each of the runbook's broken states and shows the oldest unfinalized events", async () => {
    await expectBroken(await startTestServer())
  })

  it("answers 401 without a token, 403 for a non-admin, 503 when the store is down", async () => {
    const server = await startTestServer()
    const url = `${server.url}/api/v1/admin/health/orders`
    expect((await call(url)).status).toBe(401)
    const shopper = await call(url, {
      headers: { Authorization: `Bearer ${await adminToken({ role: "x" })}` },
    })
    expect(shopper.status).toBe(403)
    const { server: failing, failAt } = await startFailingStoreServer()
    failAt(1)
    const down = await healthOf(failing)
    expect(down.status).toBe(503)
    expect(errorOf(down).code).toBe("STORE_UNAVAILABLE")
  })
})

describe("on MongoDB", () => {
  it("runs the runbook's queries on the store", async () => {
    await withMongoServer(expectBroken)
  })
})
