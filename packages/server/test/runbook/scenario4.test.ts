import { describe, expect, it } from "vitest"
import { json, opsHere } from "../ops/support/cli.js"
import { stockBeans } from "../support/adminOrders.js"
import {
  checkout,
  deliver,
  errorOf,
  inboxRecord,
  onServer,
  readOrder,
  sandboxControl,
  sessionOf,
} from "../support/server.js"
import { idsOf, runQuery } from "./support/mongoShell.js"
import { withRunbookServer } from "./support/runbookServer.js"

const series = (status: string) =>
  `webhook_events_total{status="${status}",type="checkout.session.completed"}`
const REJECTED =
  'http_request_duration_seconds_count{method="POST",route="/api/v1/webhooks/stripe",status="400"}'
/** A signing secret Stripe never used for this endpoint: a rotated or mistyped STRIPE_WEBHOOK_SECRET. */
const OTHER_SECRET = "whsec_cm90YXRlZC1pbi10aGUtc3RyaXBlLWRhc2hib2FyZA"

describe("runbook scenario 4: Stripe webhook retries / partial processing", () => {
  it("a delivery cut short by the store stays `error`, is visible, and Stripe's re-send finalizes the order", () =>
    withRunbookServer(
      async (rb) => {
        const { server } = rb
        await stockBeans(server)
        const placed = await checkout(server)
        const event = await onServer(server, (await sandboxControl(server)).pay(sessionOf(placed)))
        // The store fails on the first write of the delivery (pending → paid): the event is recorded, then `error`.
        rb.failNext("transition")
        const cut = await deliver(server, event)
        expect(cut.status).toBe(503)
        expect(cut.headers.get("retry-after")).toBe("1")
        await rb.setClock(new Date())

        // Detection: webhook_events_total{status="error"} against received, the log, the records.
        expect([await rb.metric(series("received")), await rb.metric(series("error"))]).toEqual([1, 1])
        expect(rb.logs()).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              msg: "[stripe.webhook] processing failed: StoreError",
              stripeEventId: event.eventId,
            }),
          ]),
        )
        const db = await rb.db()
        expect(await idsOf(db, "unfinalizedEvents")).toHaveLength(1)
        expect(json(await opsHere(["unfinalized-events", "--json"], rb.opsEnv))).toMatchObject({
          count: 1,
          events: [
            {
              stripeEventId: event.eventId,
              status: "error",
              lastError: expect.stringMatching(/^StoreError: /),
              sessionId: sessionOf(placed),
            },
          ],
        })
        expect((await rb.admin("GET", "/api/v1/admin/health/orders")).body).toMatchObject({
          webhookEventsUnfinalized: 1,
          oldestUnfinalizedWebhookEvents: [{ stripeEventId: event.eventId, status: "error" }],
        })
        expect((await readOrder(server, placed)).body).toMatchObject({ order: { status: "pending" } })

        // Recovery: Stripe re-sends the failed delivery (its own retry, or "Resend" in the dashboard).
        const resent = await deliver(server, event)
        expect(resent.status).toBe(200)
        expect(resent.body).toMatchObject({ outcome: { status: "processed", detail: "Finalized" } })

        // Verification: processedAt set, the event processed, a retry counted, nothing left unfinalized.
        expect((await readOrder(server, placed)).body).toMatchObject({
          order: { status: "confirmed", confirmedAt: expect.any(String) },
        })
        expect(await inboxRecord(server, event.eventId)).toMatchObject({ value: { status: "processed" } })
        expect([await rb.metric(series("retry")), await rb.metric(series("processed"))]).toEqual([1, 1])
        expect(await idsOf(db, "unfinalizedEvents")).toEqual([])
        expect(await runQuery(db, "paidUnconfirmedCount")).toBe(0)

        // A wrong STRIPE_WEBHOOK_SECRET: refused with 400 before anything is recorded or counted.
        const next = await checkout(server)
        const other = await onServer(server, (await sandboxControl(server)).pay(sessionOf(next)))
        const rejected = await deliver(server, other, OTHER_SECRET)
        expect(rejected.status).toBe(400)
        expect(errorOf(rejected).code).toBe("WEBHOOK_SIGNATURE_INVALID")
        expect(await rb.metric(REJECTED)).toBe(1)
        expect(await rb.metric(series("received"))).toBe(2)
        expect(await inboxRecord(server, other.eventId)).toMatchObject({ _tag: "None" })
      },
      { clockStart: new Date(Date.now() - 15 * 60_000) },
    ))

  it("`pnpm ops doctor` names a STRIPE_WEBHOOK_SECRET that is not a signing secret", async () => {
    const run = await opsHere(["doctor", "--json"], { STRIPE_WEBHOOK_SECRET: "sk_test_pastedTheApiKey" })
    expect(run.code).toBe(1)
    expect(json(run)).toMatchObject({
      checks: expect.arrayContaining([
        expect.objectContaining({
          check: "STRIPE_WEBHOOK_SECRET",
          status: "fail",
          message: expect.stringContaining("STRIPE_WEBHOOK_SECRET holds an API key"),
          fix: expect.stringContaining("Signing secret"),
        }),
      ]),
    })
  })
})
