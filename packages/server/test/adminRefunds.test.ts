import { PaymentIntentId } from "@settle/domain"
import { describe, expect, it } from "vitest"
import type { RunningServer } from "../src/bootstrap/start.js"
import {
  adminGet,
  adminPost,
  confirmedOrder,
  ledgerOf,
  storedOrder,
  withMongoServer,
} from "./support/adminOrders.js"
import {
  type CheckoutBody,
  checkout,
  errorOf,
  metric,
  onServer,
  postJson,
  sandboxControl,
  startTestServer,
} from "./support/server.js"

const TOTAL = 4800 // two bags of beans at 24.00 EUR
const refundsUrl = (server: RunningServer, placed: CheckoutBody) =>
  `${server.url}/api/v1/admin/orders/${placed.order.id}/refunds`

/** What Stripe (the sandbox) holds for the order's payment. */
const captureOf = async (server: RunningServer, placed: CheckoutBody) => {
  const order = await storedOrder(server, placed.order.id)
  const intent = order.payment.paymentIntentId ?? PaymentIntentId.make("none")
  const captures = await onServer(server, (await sandboxControl(server)).captures)
  return captures.find((c) => c.paymentIntentId === intent)
}

const beansStock = async (server: RunningServer) => {
  const listed = (await adminGet(`${server.url}/api/v1/admin/products`)).body as {
    products: Array<{ sku: string; stock: { available: number; committed: number } }>
  }
  return listed.products.find((p) => p.sku === "BEANS-1KG")?.stock
}

const successes = 'refund_operations_total{status="success"}'

/** A full refund through the sandbox gateway: Stripe refund, ledger entry, order refunded, audit, metric. */
const refundsInFull = async (server: RunningServer) => {
  const placed = await confirmedOrder(server)
  const answer = await adminPost(refundsUrl(server, placed), { reason: "damaged in transit" })
  expect(answer.status).toBe(201)
  const refundId = `refund:${placed.order.id}:1`
  expect(answer.body).toMatchObject({
    refund: {
      id: refundId,
      amount: { amount: TOTAL, currency: "EUR" },
      reason: "damaged in transit",
      restock: false,
    },
    order: { status: "refunded", payment: { amountRefunded: { amount: TOTAL, currency: "EUR" } } },
  })
  const gatewayRefundId = (answer.body as { refund: { gatewayRefundId: string } }).refund.gatewayRefundId
  expect((await captureOf(server, placed))?.refunds).toEqual([
    expect.objectContaining({ refundId: gatewayRefundId, idempotencyKey: refundId }),
  ])
  const refunds = (await ledgerOf(server, placed.order.id)).filter((e) => e.kind === "refund")
  expect(refunds).toEqual([
    expect.objectContaining({
      amount: { amount: TOTAL, currency: "EUR" },
      externalId: gatewayRefundId,
      idempotencyKey: refundId,
    }),
  ])
  const detail = await adminGet(`${server.url}/api/v1/admin/orders/${placed.order.id}`)
  expect(detail.body).toMatchObject({
    audit: [{ action: "order.refund", actor: "ops@example.com", reason: "damaged in transit" }],
  })
  expect(await metric(server, successes)).toBe(1)
}

describe("POST /api/v1/admin/orders/:id/refunds", () => {
  it("refunds what is left by default through the gateway, with its ledger entry and audit: 201", async () => {
    await refundsInFull(await startTestServer())
  })

  it("refunds once for a repeated requestId (I6), then refuses more than was captured with 422", async () => {
    const server = await startTestServer()
    const placed = await confirmedOrder(server)
    const url = refundsUrl(server, placed)
    const request = { amount: 1000, reason: "late delivery", requestId: "ticket-4711" }
    const first = await adminPost(url, request)
    const again = await adminPost(url, request)
    expect(first.status).toBe(201)
    expect(again.status).toBe(201)
    expect((again.body as { refund: unknown }).refund).toEqual((first.body as { refund: unknown }).refund)
    expect((first.body as { refund: { id: string } }).refund.id).toBe(`refund:${placed.order.id}:ticket-4711`)
    expect((await captureOf(server, placed))?.refunds).toHaveLength(1)
    expect((await ledgerOf(server, placed.order.id)).filter((e) => e.kind === "refund")).toHaveLength(1)
    expect(await storedOrder(server, placed.order.id)).toMatchObject({
      status: "partially_refunded",
      payment: { amountRefunded: 1000 },
    })

    const over = await adminPost(url, { amount: TOTAL, reason: "too much" })
    expect(over.status).toBe(422)
    expect(errorOf(over)).toMatchObject({
      code: "REFUND_EXCEEDS_CAPTURED",
      details: {
        field: "amount",
        requested: { amount: TOTAL, currency: "EUR" },
        refundable: { amount: TOTAL - 1000, currency: "EUR" },
      },
    })
    expect((await storedOrder(server, placed.order.id)).payment.amountRefunded).toBe(1000)
    expect((await captureOf(server, placed))?.refunds).toHaveLength(1)
  })

  it("restocks every item once when asked", async () => {
    const server = await startTestServer()
    const placed = await confirmedOrder(server)
    expect(await beansStock(server)).toEqual({ available: 18, reserved: 0, committed: 2 })
    const answer = await adminPost(refundsUrl(server, placed), { reason: "returned unopened", restock: true })
    expect(answer.status).toBe(201)
    // The two sold bags come back from committed to available.
    expect(await beansStock(server)).toEqual({ available: 20, reserved: 0, committed: 0 })
  })

  it("answers 409 for an order that is not refundable and 404 for an unknown one, changing nothing", async () => {
    const server = await startTestServer()
    const pending = await checkout(server)
    const refused = await adminPost(refundsUrl(server, pending), { reason: "not paid yet" })
    expect(refused.status).toBe(409)
    expect(errorOf(refused)).toMatchObject({ code: "ILLEGAL_TRANSITION", details: { from: "pending" } })
    expect((await storedOrder(server, pending.order.id)).refunds).toEqual([])
    const unknown = await adminPost(`${server.url}/api/v1/admin/orders/ord_missing/refunds`, { reason: "x" })
    expect(unknown.status).toBe(404)
  })

  it("refuses bad bodies with 400 naming the field, and no token with 401, before any money moves", async () => {
    const server = await startTestServer()
    const placed = await confirmedOrder(server)
    const url = refundsUrl(server, placed)
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{}, "reason"],
      [{ reason: "  " }, "reason"],
      [{ reason: "x", amount: 0 }, "amount"],
      [{ reason: "x", amount: 10.5 }, "amount"],
      [{ reason: "x", amount: "100" }, "amount"],
      [{ reason: "x", restock: "yes" }, "restock"],
      [{ reason: "x", requestId: "12" }, "requestId"],
      [{ reason: "x", requestId: "has space" }, "requestId"],
      [{ reason: "x", actor: "someone-else" }, "actor"],
      [{ reason: "x", orderId: "ord_other" }, "orderId"],
    ]
    for (const [body, field] of cases) {
      const answer = await adminPost(url, body)
      expect({ body, status: answer.status }).toEqual({ body, status: 400 })
      expect({ body, field: errorOf(answer).details.field }).toEqual({ body, field })
    }
    expect((await postJson(url, { reason: "no token" })).status).toBe(401)
    expect((await captureOf(server, placed))?.refunds).toEqual([])
    expect((await storedOrder(server, placed.order.id)).status).toBe("confirmed")
  })

  it("answers 503 while the gateway is down, audits the attempt, and completes it once when repeated", async () => {
    const server = await startTestServer()
    const placed = await confirmedOrder(server)
    const control = await sandboxControl(server)
    const url = refundsUrl(server, placed)
    await onServer(server, control.setFailing(true))
    const down = await adminPost(url, { reason: "outage test", requestId: "retry-me" })
    expect(down.status).toBe(503)
    expect(errorOf(down).code).toBe("PAYMENT_PROVIDER_UNAVAILABLE")
    await onServer(server, control.setFailing(false))
    const repeated = await adminPost(url, { reason: "outage test", requestId: "retry-me" })
    expect(repeated.status).toBe(201)
    expect((await captureOf(server, placed))?.refunds).toHaveLength(1)
    expect((await ledgerOf(server, placed.order.id)).filter((e) => e.kind === "refund")).toHaveLength(1)
    const audit = (
      (await adminGet(`${server.url}/api/v1/admin/orders/${placed.order.id}`)).body as {
        audit: Array<{ action: string }>
      }
    ).audit
    expect(audit.map((r) => r.action)).toEqual(["order.refund_failed", "order.refund"])
  })
})

describe("on MongoDB", () => {
  it("refunds through the sandbox gateway with its ledger entry in the store", async () => {
    await withMongoServer(refundsInFull)
  })
})
