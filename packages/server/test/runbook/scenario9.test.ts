import { describe, expect, it } from "vitest"
import { json, ops, opsHere } from "../ops/support/cli.js"
import { stockBeans } from "../support/adminOrders.js"
import {
  CART,
  type CheckoutBody,
  checkout,
  deliver,
  errorOf,
  onServer,
  sandboxControl,
  sessionOf,
} from "../support/server.js"
import { idsOf } from "./support/mongoShell.js"
import { type RunbookServer, withRunbookServer } from "./support/runbookServer.js"

interface OrderDetail {
  readonly order: {
    readonly status: string
    readonly reviewReason: string | null
    readonly webhook: { readonly processedAt: string | null }
    readonly invoice: { readonly status: string }
    readonly refunds: ReadonlyArray<{ readonly id: string; readonly gatewayRefundId: string | null }>
  }
  readonly ledger: ReadonlyArray<{
    readonly kind: string
    readonly amount: { readonly amount: number }
    readonly idempotencyKey: string
  }>
  readonly audit: ReadonlyArray<{ readonly action: string; readonly actor: string; readonly reason: string }>
}

const detailOf = async (rb: RunbookServer, id: string) =>
  (await rb.admin("GET", `/api/v1/admin/orders/${id}`)).body as OrderDetail

const beans = async (rb: RunbookServer) =>
  (
    (await rb.admin("GET", "/api/v1/admin/products")).body as {
      products: ReadonlyArray<{ readonly stock: object }>
    }
  ).products[0]?.stock

/** The customer pays `amount` (the total unless told) at the sandbox and Stripe delivers it. */
const pays = async (rb: RunbookServer, placed: CheckoutBody, amount?: number) => {
  const sandbox = await sandboxControl(rb.server)
  const event = await onServer(
    rb.server,
    sandbox.pay(sessionOf(placed), amount === undefined ? {} : { amount }),
  )
  expect((await deliver(rb.server, event)).status).toBe(200)
}

const ACCEPT = "RISK-7: customer confirmed the amount with their bank"
const REFUND = "RISK-8: card testing, amount tampered"

describe("runbook scenario 9: payment held for review", () => {
  it("two amount mismatches are found; one is refunded through the admin API, the other accepted with pnpm ops", () =>
    withRunbookServer(async (rb) => {
      await stockBeans(rb.server)
      const tampered = await checkout(rb.server)
      const confirmedByBank = await checkout(rb.server)
      await pays(rb, tampered, 100)
      await pays(rb, confirmedByBank, 4700)

      // Detection: the alert's counter, the warning, the query and the listing.
      expect(await rb.metric('payment_review_total{reason="amount_mismatch"}')).toBe(2)
      expect(
        rb.logs().filter((line) => line.msg === "[stripe.webhook] amount mismatch: order held for review"),
      ).toHaveLength(2)
      const db = await rb.db()
      expect([...(await idsOf(db, "paymentReview"))].sort()).toEqual(
        [tampered.order.id, confirmedByBank.order.id].sort(),
      )
      const listed = await rb.admin("GET", "/api/v1/admin/orders?status=payment_review")
      expect((listed.body as { orders: ReadonlyArray<unknown> }).orders).toHaveLength(2)
      expect((await detailOf(rb, tampered.order.id)).order.reviewReason).toBe(
        "amount_mismatch: expected 4800 EUR, received 100 EUR",
      )

      // Recovery 2: not legitimate, refunded and closed.
      const refunded = await rb.admin("POST", `/api/v1/admin/orders/${tampered.order.id}/review/refund`, {
        reason: REFUND,
      })
      expect(refunded.status).toBe(200)
      const closed = await detailOf(rb, tampered.order.id)
      expect(closed.order).toMatchObject({ status: "refunded", webhook: { processedAt: null } })
      expect(closed.order.refunds).toEqual([
        expect.objectContaining({ id: `refund:${tampered.order.id}:0`, gatewayRefundId: expect.any(String) }),
      ])
      expect(closed.ledger.map((entry) => [entry.kind, entry.amount.amount])).toEqual([
        ["payment", 100],
        ["refund", 100],
      ])
      expect(closed.audit).toEqual([
        expect.objectContaining({ action: "order.review_refund", actor: "ops@example.com", reason: REFUND }),
      ])
      expect(rb.logs().map((line) => line.msg)).toContain(
        "[orders.review] payment refunded from review: order closed",
      )
      expect(await rb.metric('refund_operations_total{status="success"}')).toBe(1)

      // Recovery 1: legitimate, accepted with the CLI, rehearsed first.
      const accept = ["review-accept", confirmedByBank.order.id, "--reason", ACCEPT, "--json"]
      const rehearsal = await opsHere([...accept, "--dry-run"], rb.opsEnv)
      expect(json(rehearsal)).toMatchObject({
        ok: true,
        dryRun: true,
        result: "accepted",
        status: "confirmed",
      })
      const run = await ops(accept, rb.opsEnv)
      expect(run.code).toBe(0)
      expect(json(run)).toMatchObject({
        result: "accepted",
        status: "confirmed",
        processedAt: expect.any(String),
      })
      const again = await opsHere(accept, rb.opsEnv)
      expect(json(again)).toMatchObject({ result: "already_accepted", changes: [] })

      // Verification.
      const accepted = await detailOf(rb, confirmedByBank.order.id)
      expect(accepted.order).toMatchObject({
        status: "confirmed",
        webhook: { processedAt: expect.any(String) },
        invoice: { status: "pending" },
      })
      expect(accepted.ledger.map((entry) => [entry.kind, entry.amount.amount, entry.idempotencyKey])).toEqual(
        [["payment", 4700, `checkout:${confirmedByBank.order.id}`]],
      )
      expect(accepted.audit).toEqual([
        expect.objectContaining({ action: "order.review_accept", actor: "ops-cli:oncall", reason: ACCEPT }),
      ])
      expect(await beans(rb)).toEqual({ available: 18, reserved: 0, committed: 2 })
      expect(await idsOf(db, "paymentReview")).toEqual([])
    }))

  it("a late payment whose stock was sold meanwhile cannot be accepted (CAPACITY_GONE); the refund closes it", () =>
    withRunbookServer(async (rb) => {
      await stockBeans(rb.server)
      const late = await checkout(rb.server)
      await rb.advanceClock(31 * 60_000)
      const expiry = await rb.admin("POST", "/api/v1/admin/jobs/expiry/run", { reason: "RISK-9: expire now" })
      expect(expiry.body).toMatchObject({ run: { report: { ordersExpired: 1 } } })
      const everyBag = await checkout(rb.server, { ...CART, items: [{ sku: "BEANS-1KG", quantity: 20 }] })
      await pays(rb, everyBag)
      await pays(rb, late)

      expect(await rb.metric('payment_review_total{reason="late_payment_capacity_gone"}')).toBe(1)
      expect(rb.logs().map((line) => line.msg)).toContain(
        "[stripe.webhook] late payment for a released order: capacity gone, held for review",
      )
      expect(await idsOf(await rb.db(), "paymentReview")).toEqual([late.order.id])

      const refused = await rb.admin("POST", `/api/v1/admin/orders/${late.order.id}/review/accept`, {
        reason: ACCEPT,
      })
      expect(refused.status).toBe(409)
      expect(errorOf(refused)).toMatchObject({ code: "CAPACITY_GONE", details: { resource: "BEANS-1KG" } })
      expect((await detailOf(rb, late.order.id)).order.status).toBe("payment_review")

      const refunded = await rb.admin("POST", `/api/v1/admin/orders/${late.order.id}/review/refund`, {
        reason: "RISK-9: sold out before the payment arrived",
      })
      expect(refunded.body).toMatchObject({ result: "refunded", order: { status: "refunded" } })
      expect(await beans(rb)).toEqual({ available: 0, reserved: 0, committed: 20 })
      expect(await idsOf(await rb.db(), "paymentReview")).toEqual([])
    }))
})
