import { PaymentIntentId } from "@settle/domain"
import { describe, expect, it } from "vitest"
import type { RunningServer } from "../src/bootstrap/start.js"
import { adminGet, adminPost, confirmedOrder, ledgerOf, storedOrder } from "./support/adminOrders.js"
import {
  type CheckoutBody,
  call,
  checkout,
  deliver,
  errorOf,
  metric,
  onServer,
  sandboxControl,
  sessionOf,
  startTestServer,
} from "./support/server.js"

const REASON = "RISK-7: the customer confirmed the payment with their bank"
const reviewUrl = (server: RunningServer, id: string, decision: "accept" | "refund") =>
  `${server.url}/api/v1/admin/orders/${id}/review/${decision}`

/** Two bags of beans (48.00 EUR) for which Stripe captured 1.00 EUR: held for review. */
const mismatchedOrder = async (server: RunningServer): Promise<CheckoutBody> => {
  const placed = await checkout(server)
  const event = await onServer(server, (await sandboxControl(server)).pay(sessionOf(placed), { amount: 100 }))
  const delivered = await deliver(server, event)
  expect(delivered.body).toMatchObject({ outcome: { status: "amount_mismatch" } })
  return placed
}

/** What the sandbox refunded of the order's payment. */
const refundsTaken = async (server: RunningServer, id: string) => {
  const intent = (await storedOrder(server, id)).payment.paymentIntentId ?? PaymentIntentId.make("none")
  const captures = await onServer(server, (await sandboxControl(server)).captures)
  return captures.find((capture) => capture.paymentIntentId === intent)?.refunds ?? []
}

const productStock = async (server: RunningServer, sku: string) => {
  const listed = (await adminGet(`${server.url}/api/v1/admin/products`)).body as {
    products: Array<{ sku: string; stock: { available: number; reserved: number; committed: number } }>
  }
  return listed.products.find((p) => p.sku === sku)?.stock
}

const auditOf = async (server: RunningServer, id: string) =>
  ((await adminGet(`${server.url}/api/v1/admin/orders/${id}`)).body as { audit: Array<unknown> }).audit

describe("POST /api/v1/admin/orders/:id/review/accept", () => {
  it("confirms the payment as received: ledger, stock committed, processedAt, audit; a repeat answers already_accepted", async () => {
    const server = await startTestServer()
    const { order } = await mismatchedOrder(server)
    const answer = await adminPost(reviewUrl(server, order.id, "accept"), { reason: REASON })
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({
      result: "accepted",
      order: {
        status: "confirmed",
        reviewReason: "amount_mismatch: expected 4800 EUR, received 100 EUR",
        payment: { amountReceived: { amount: 100, currency: "EUR" } },
        webhook: { processedAt: expect.any(String) },
        invoice: { status: expect.stringMatching(/^(pending|issuing|issued)$/) },
      },
    })
    expect((await ledgerOf(server, order.id)).map((e) => [e.kind, e.amount, e.idempotencyKey])).toEqual([
      ["payment", { amount: 100, currency: "EUR" }, `checkout:${order.id}`],
    ])
    expect(await productStock(server, "BEANS-1KG")).toEqual({ available: 18, reserved: 0, committed: 2 })
    expect(await auditOf(server, order.id)).toEqual([
      expect.objectContaining({ action: "order.review_accept", actor: "ops@example.com", reason: REASON }),
    ])

    const again = await adminPost(reviewUrl(server, order.id, "accept"), { reason: "double click" })
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ result: "already_accepted", order: { status: "confirmed" } })
    expect(await ledgerOf(server, order.id)).toHaveLength(1)
    expect(await auditOf(server, order.id)).toHaveLength(1)

    const refund = await adminPost(reviewUrl(server, order.id, "refund"), { reason: REASON })
    expect(refund.status).toBe(409)
    expect(errorOf(refund)).toMatchObject({
      code: "ILLEGAL_TRANSITION",
      details: { from: "confirmed", action: "refund_review" },
    })
  })

  it("answers 409 CAPACITY_GONE when a late payment's stock went to another order, changing nothing", async () => {
    // Checkouts that expire at once: the expiry job releases the first order before it is paid.
    const server = await startTestServer({ reservationTtlMs: 1 })
    const late = await checkout(server, {
      items: [{ sku: "GRINDER", quantity: 3 }],
      currency: "EUR",
      email: "a@b.co",
    })
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(
      (await adminPost(`${server.url}/api/v1/admin/jobs/expiry/run`, { reason: "test: expire now" })).status,
    ).toBe(200)
    const other = await checkout(server, {
      items: [{ sku: "GRINDER", quantity: 3 }],
      currency: "EUR",
      email: "c@d.co",
    })
    const sandbox = await sandboxControl(server)
    await deliver(server, await onServer(server, sandbox.pay(sessionOf(other))))
    await deliver(server, await onServer(server, sandbox.pay(sessionOf(late))))
    expect(await storedOrder(server, late.order.id)).toMatchObject({
      status: "payment_review",
      reviewReason: "late_payment_capacity_gone",
    })

    const refused = await adminPost(reviewUrl(server, late.order.id, "accept"), { reason: REASON })
    expect(refused.status).toBe(409)
    expect(errorOf(refused)).toMatchObject({
      code: "CAPACITY_GONE",
      details: { orderId: late.order.id, resource: "GRINDER" },
    })
    expect(await storedOrder(server, late.order.id)).toMatchObject({ status: "payment_review" })
    expect(await productStock(server, "GRINDER")).toEqual({ available: 0, reserved: 0, committed: 3 })
    expect(await auditOf(server, late.order.id)).toEqual([])

    const refunded = await adminPost(reviewUrl(server, late.order.id, "refund"), {
      reason: "out of grinders",
    })
    expect(refunded.status).toBe(200)
    expect(refunded.body).toMatchObject({
      result: "refunded",
      refund: { amount: { amount: 56700, currency: "EUR" } },
    })
  })
})

describe("POST /api/v1/admin/orders/:id/review/refund", () => {
  it("refunds what was captured under refund:<id>:0, releases the stock, closes the order refunded; once", async () => {
    const server = await startTestServer()
    const { order } = await mismatchedOrder(server)
    expect(await productStock(server, "BEANS-1KG")).toEqual({ available: 18, reserved: 2, committed: 0 })
    const answer = await adminPost(reviewUrl(server, order.id, "refund"), { reason: REASON })
    expect(answer.status).toBe(200)
    const refundId = `refund:${order.id}:0`
    expect(answer.body).toMatchObject({
      result: "refunded",
      refund: {
        id: refundId,
        amount: { amount: 100, currency: "EUR" },
        reason: REASON,
        gatewayRefundId: expect.any(String),
      },
      order: {
        status: "refunded",
        payment: { amountRefunded: { amount: 100, currency: "EUR" } },
        webhook: { processedAt: null },
      },
    })
    expect(await refundsTaken(server, order.id)).toEqual([
      expect.objectContaining({ amount: { amount: 100, currency: "EUR" }, idempotencyKey: refundId }),
    ])
    expect(
      (await ledgerOf(server, order.id)).map((e) => [e.kind, e.amount.amount, e.idempotencyKey]),
    ).toEqual([
      ["payment", 100, `checkout:${order.id}`],
      ["refund", 100, refundId],
    ])
    expect(await productStock(server, "BEANS-1KG")).toEqual({ available: 20, reserved: 0, committed: 0 })
    expect(await metric(server, 'refund_operations_total{status="success"}')).toBe(1)
    expect(await auditOf(server, order.id)).toEqual([
      expect.objectContaining({ action: "order.review_refund", actor: "ops@example.com", reason: REASON }),
    ])

    const again = await adminPost(reviewUrl(server, order.id, "refund"), { reason: REASON })
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ result: "already_refunded", refund: { id: refundId } })
    expect(await refundsTaken(server, order.id)).toHaveLength(1)

    const accept = await adminPost(reviewUrl(server, order.id, "accept"), { reason: REASON })
    expect(accept.status).toBe(409)
    expect(errorOf(accept)).toMatchObject({ code: "ILLEGAL_TRANSITION", details: { from: "refunded" } })
  })

  it("answers 409 for an order not held for review and 404 for an unknown one, changing nothing", async () => {
    const server = await startTestServer()
    const { order } = await confirmedOrder(server)
    const before = await storedOrder(server, order.id)
    for (const decision of ["accept", "refund"] as const) {
      const refused = await adminPost(reviewUrl(server, order.id, decision), { reason: REASON })
      expect(refused.status).toBe(409)
      expect(errorOf(refused)).toMatchObject({ code: "ILLEGAL_TRANSITION", details: { from: "confirmed" } })
      const unknown = await adminPost(reviewUrl(server, "ord_missing", decision), { reason: REASON })
      expect(unknown.status).toBe(404)
    }
    expect(await storedOrder(server, order.id)).toEqual(before)
    expect(await refundsTaken(server, order.id)).toEqual([])
  })

  it("refuses a missing reason or a foreign field with 400, and no token with 401, before anything moves", async () => {
    const server = await startTestServer()
    const { order } = await mismatchedOrder(server)
    const before = await storedOrder(server, order.id)
    for (const decision of ["accept", "refund"] as const) {
      const url = reviewUrl(server, order.id, decision)
      for (const [body, field] of [
        [{}, "reason"],
        [{ reason: "   " }, "reason"],
        [{ reason: "x".repeat(501) }, "reason"],
        [{ reason: "x", actor: "someone-else" }, "actor"],
        [{ reason: "x", amount: 50 }, "amount"],
      ] as const) {
        const answer = await adminPost(url, body)
        expect([decision, answer.status, errorOf(answer).details]).toEqual([decision, 400, { field }])
      }
      const anonymous = await call(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ reason: REASON }),
      })
      expect(anonymous.status).toBe(401)
    }
    expect(await storedOrder(server, order.id)).toEqual(before)
    expect(await refundsTaken(server, order.id)).toEqual([])
  })
})
