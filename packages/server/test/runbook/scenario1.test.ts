import { afterAll, describe, expect, it } from "vitest"
import { json, ops, opsHere } from "../ops/support/cli.js"
import { stockBeans } from "../support/adminOrders.js"
import { checkout, deliver, errorOf, onServer, sandboxControl, sessionOf } from "../support/server.js"
import { startLoopbackStripe } from "./support/loopbackStripe.js"
import { idsOf, runQuery } from "./support/mongoShell.js"
import { withRunbookServer } from "./support/runbookServer.js"

const stripe = await startLoopbackStripe()
afterAll(() => stripe.close())

const REASON = "INC-101: paid order stuck after a DB failover"

interface OrderDetail {
  readonly order: { readonly status: string; readonly webhook: { readonly processedAt: string | null } }
  readonly ledger: ReadonlyArray<{ readonly kind: string }>
  readonly audit: ReadonlyArray<{ readonly action: string; readonly actor: string; readonly reason: string }>
}

describe("runbook scenario 1: stuck orders (status = paid but not confirmed)", () => {
  it("a crash after `paid` shows where the runbook looks, and `pnpm ops replay --session` confirms the order once", () =>
    withRunbookServer(
      async (rb) => {
        const { server } = rb
        await stockBeans(server)
        const placed = await checkout(server)
        const orderId = placed.order.id
        const event = await onServer(server, (await sandboxControl(server)).pay(sessionOf(placed)))
        // The process loses the store between `paid` (ledger entry, stock committed) and `confirmed`.
        rb.failNext("markFinalized")
        const delivery = await deliver(server, event)
        expect(delivery.status).toBe(503)
        expect(errorOf(delivery).code).toBe("STORE_UNAVAILABLE")
        await rb.setClock(new Date())

        // Detection: the gauge and alert, the webhook error counter and log, the queries.
        expect(await rb.metric("paid_unconfirmed_orders")).toBe(1)
        expect(
          await rb.metric('webhook_events_total{status="error",type="checkout.session.completed"}'),
        ).toBe(1)
        expect(rb.logs()).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              msg: "[stripe.webhook] processing failed: StoreError",
              stripeEventId: event.eventId,
            }),
            expect.objectContaining({
              msg: "[stripe.webhook] POST /api/v1/webhooks/stripe failed: STORE_UNAVAILABLE",
            }),
          ]),
        )
        const db = await rb.db()
        expect(await runQuery(db, "paidUnconfirmedCount")).toBe(1)
        expect(await idsOf(db, "stuckPaid")).toEqual([orderId])
        expect((await rb.admin("GET", "/api/v1/admin/health/orders")).body).toMatchObject({
          paidUnconfirmed: 1,
        })
        const listed = await rb.admin("GET", "/api/v1/admin/orders?stuck=paid")
        expect(listed.body).toMatchObject({
          orders: [{ id: orderId, status: "paid", payment: { sessionId: sessionOf(placed) } }],
        })
        expect(json(await opsHere(["stuck-paid", "--json"], rb.opsEnv))).toMatchObject({
          count: 1,
          orders: [{ orderId, status: "paid", sessionId: sessionOf(placed), processedAt: null }],
        })

        // Recovery, step 2: re-trigger finalization with the exact sessionId; Stripe says it is paid.
        stripe.paid(event)
        const env = {
          ...rb.opsEnv,
          STRIPE_SECRET_KEY: "sk_test_runbookScenario1",
          STRIPE_API_BASE_URL: stripe.url,
        }
        const replay = ["replay", "--session", sessionOf(placed), "--reason", REASON, "--json"]
        const rehearsal = await opsHere([...replay, "--dry-run"], env)
        expect(json(rehearsal)).toMatchObject({ ok: true, dryRun: true, status: "confirmed" })
        expect(await runQuery(db, "paidUnconfirmedCount")).toBe(1)
        const run = await ops(replay, env)
        expect(run.code).toBe(0)
        expect(json(run)).toMatchObject({
          dryRun: false,
          orderId,
          result: "Finalized",
          status: "confirmed",
          processedAt: expect.any(String),
          paymentLedgerEntries: 1,
        })

        // Verification: confirmed, processedAt set, one payment, audited; nothing left to find.
        const detail = (await rb.admin("GET", `/api/v1/admin/orders/${orderId}`)).body as OrderDetail
        expect(detail.order).toMatchObject({
          status: "confirmed",
          webhook: { processedAt: expect.any(String) },
        })
        expect(detail.ledger.filter((entry) => entry.kind === "payment")).toHaveLength(1)
        expect(detail.audit).toEqual([
          expect.objectContaining({ action: "payment.replay", actor: "ops-cli:oncall", reason: REASON }),
        ])
        expect(await runQuery(db, "paidUnconfirmedCount")).toBe(0)
        expect(await idsOf(db, "stuckPaid")).toEqual([])
        expect(await rb.metric("paid_unconfirmed_orders")).toBe(0)

        // Retries are safe only while processedAt is null: a second replay is refused.
        const again = await opsHere(replay, env)
        expect(again.code).toBe(1)
        expect(json(again)).toMatchObject({ error: { code: "ALREADY_FINALIZED" } })

        // The replay by session leaves the crashed delivery `error` until Stripe's next retry, which
        // finds the order finalized and marks the event processed, without a second payment.
        expect(await idsOf(db, "unfinalizedEvents")).toEqual([expect.anything()])
        const retried = await deliver(server, event)
        expect(retried.body).toMatchObject({ outcome: { status: "processed", detail: "AlreadyFinalized" } })
        expect(await idsOf(db, "unfinalizedEvents")).toEqual([])
        const after = (await rb.admin("GET", `/api/v1/admin/orders/${orderId}`)).body as OrderDetail
        expect(after.ledger.filter((entry) => entry.kind === "payment")).toHaveLength(1)
      },
      // The crash happened a quarter of an hour ago: past the runbook's 10-minute horizon.
      { clockStart: new Date(Date.now() - 15 * 60_000) },
    ))

  it("the reconcile job finalizes a paid order left for over 10 minutes, from the payment it recorded", () =>
    withRunbookServer(
      async (rb) => {
        await stockBeans(rb.server)
        const placed = await checkout(rb.server)
        const event = await onServer(rb.server, (await sandboxControl(rb.server)).pay(sessionOf(placed)))
        rb.failNext("markFinalized")
        expect((await deliver(rb.server, event)).status).toBe(503)
        await rb.setClock(new Date())

        const run = await rb.admin("POST", "/api/v1/admin/jobs/reconcile/run", {
          reason: "INC-102: stuck paid alert",
        })
        expect(run.status).toBe(200)
        expect(run.body).toMatchObject({
          job: "reconcile",
          run: { outcome: "succeeded", report: { finalized: 1 } },
        })
        expect(await runQuery(await rb.db(), "paidUnconfirmedCount")).toBe(0)
        const detail = (await rb.admin("GET", `/api/v1/admin/orders/${placed.order.id}`)).body as OrderDetail
        expect(detail.order).toMatchObject({
          status: "confirmed",
          webhook: { processedAt: expect.any(String) },
        })
        expect(detail.ledger.filter((entry) => entry.kind === "payment")).toHaveLength(1)
      },
      { clockStart: new Date(Date.now() - 15 * 60_000) },
    ))
})
