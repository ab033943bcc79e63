import { describe, expect, it } from "vitest"
import { stockBeans } from "../support/adminOrders.js"
import {
  checkout,
  deliver,
  errorOf,
  inboxRecord,
  onServer,
  sandboxControl,
  sessionOf,
} from "../support/server.js"
import { type RunbookServer, withRunbookServer } from "./support/runbookServer.js"

interface AdminOrder {
  readonly id: string
  readonly status: string
  readonly reviewReason: string | null
  readonly items: ReadonlyArray<{ readonly productId: string; readonly quantity: number }>
  readonly totals: { readonly total: { readonly amount: number; readonly currency: string } }
  readonly payment: {
    readonly paymentIntentId: string | null
    readonly amountReceived: { readonly amount: number; readonly currency: string } | null
  }
  readonly webhook: { readonly processedAt: string | null }
  readonly invoice: { readonly status: string; readonly number: string | null }
}

interface OrderDetail {
  readonly order: AdminOrder
  readonly ledger: ReadonlyArray<{
    readonly kind: string
    readonly amount: { readonly amount: number; readonly currency: string }
    readonly externalId: string
  }>
  readonly audit: ReadonlyArray<{ readonly action: string; readonly reason: string }>
}

const detailOf = async (rb: RunbookServer, id: string) =>
  (await rb.admin("GET", `/api/v1/admin/orders/${id}`)).body as OrderDetail

const idsFound = async (rb: RunbookServer, query: string) =>
  (
    (await rb.admin("GET", `/api/v1/admin/orders?${query}`)).body as { orders: ReadonlyArray<AdminOrder> }
  ).orders.map((order) => order.id)

describe("runbook scenario 5: manual reconciliation", () => {
  it("a payment booked in the ledger on an order never confirmed is found, validated and finalized by replaying its event", () =>
    withRunbookServer(
      async (rb) => {
        const { server } = rb
        await stockBeans(server)
        const placed = await checkout(server)
        const orderId = placed.order.id
        const event = await onServer(server, (await sandboxControl(server)).pay(sessionOf(placed)))
        rb.failNext("markFinalized")
        expect((await deliver(server, event)).status).toBe(503)

        // 1) Identify the order from what the customer or Stripe gives: email, payment intent, session.
        expect(await idsFound(rb, "email=shopper%40example.com")).toEqual([orderId])
        expect(await idsFound(rb, `paymentIntentId=${event.paymentIntentId}`)).toEqual([orderId])
        expect(await idsFound(rb, `sessionId=${sessionOf(placed)}`)).toEqual([orderId])

        // 2) Validate the payment amount against the order, and the stock reservation state.
        const before = await detailOf(rb, orderId)
        expect(before.order).toMatchObject({ status: "paid", webhook: { processedAt: null } })
        expect(before.order.payment).toEqual(
          expect.objectContaining({
            paymentIntentId: event.paymentIntentId,
            amountReceived: before.order.totals.total,
          }),
        )
        expect(before.ledger).toEqual([
          expect.objectContaining({
            kind: "payment",
            amount: before.order.totals.total,
            externalId: event.paymentIntentId,
          }),
        ])
        const productId = before.order.items[0]?.productId
        const product = await rb.admin("GET", `/api/v1/admin/products/${productId}`)
        expect(product.body).toMatchObject({
          product: { stock: { available: 18, reserved: 0, committed: 2 } },
        })

        // 3) Not finalized: re-run the recorded Stripe event.
        const replay = await rb.admin("POST", "/api/v1/admin/payments/replay", {
          stripeEventId: event.eventId,
          reason: "INC-505: customer paid, no confirmation",
        })
        expect(replay.status).toBe(200)
        expect(replay.body).toMatchObject({ replay: { orderId, result: "Processed", status: "confirmed" } })
        // The invoice the confirmation scheduled, and a note that the customer was told.
        const invoices = await rb.admin("POST", "/api/v1/admin/jobs/invoice-retry/run", {
          reason: "INC-505: invoice the reconciled order",
        })
        expect(invoices.body).toMatchObject({ run: { report: { issued: 1 } } })
        const note = await rb.admin("POST", `/api/v1/admin/orders/${orderId}/notes`, {
          note: "INC-505: confirmation and invoice e-mailed to the customer by support",
        })
        expect(note.status).toBe(201)

        // Verification: confirmed, invoice issued, one payment, the trail of what was done.
        const after = await detailOf(rb, orderId)
        expect(after.order).toMatchObject({
          status: "confirmed",
          webhook: { processedAt: expect.any(String) },
          invoice: { status: "issued", number: expect.any(String) },
        })
        expect(after.ledger.filter((entry) => entry.kind === "payment")).toHaveLength(1)
        expect(after.audit.map((record) => record.action)).toEqual(["payment.replay", "order.note"])
        expect(await inboxRecord(server, event.eventId)).toMatchObject({ value: { status: "processed" } })
      },
      { settings: { invoiceMode: "stripe" } },
    ))

  it("an amount mismatch is held in payment_review and no replay or redelivery finalizes it", () =>
    withRunbookServer(async (rb) => {
      const { server } = rb
      await stockBeans(server)
      const placed = await checkout(server)
      const short = placed.order.totals.total.amount - 500
      const event = await onServer(
        server,
        (await sandboxControl(server)).pay(sessionOf(placed), { amount: short }),
      )
      const delivery = await deliver(server, event)
      expect(delivery.status).toBe(200)
      expect(delivery.body).toMatchObject({
        outcome: { status: "amount_mismatch", orderId: placed.order.id },
      })

      // Detection: PaymentAmountMismatch's counter, the warning, the order's review reason.
      expect(await rb.metric('payment_review_total{reason="amount_mismatch"}')).toBe(1)
      expect(rb.logs()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            msg: "[stripe.webhook] amount mismatch: order held for review",
            orderId: placed.order.id,
          }),
        ]),
      )
      expect(await idsFound(rb, "status=payment_review")).toEqual([placed.order.id])
      expect((await detailOf(rb, placed.order.id)).order.reviewReason).toBe(
        `amount_mismatch: expected ${placed.order.totals.total.amount} EUR, received ${short} EUR`,
      )

      // Never retried: a replay and Stripe's redelivery both leave it in review, the event `error`.
      const replay = await rb.admin("POST", "/api/v1/admin/payments/replay", {
        stripeEventId: event.eventId,
        reason: "INC-506: try again?",
      })
      expect(replay.body).toMatchObject({ replay: { result: "AmountMismatch", status: "payment_review" } })
      expect((await deliver(server, event)).body).toMatchObject({ outcome: { status: "amount_mismatch" } })
      expect(await inboxRecord(server, event.eventId)).toMatchObject({
        value: { status: "error", lastError: "amount_mismatch" },
      })
      expect((await detailOf(rb, placed.order.id)).order).toMatchObject({
        status: "payment_review",
        webhook: { processedAt: null },
      })
      // Nor can it be refunded through Settle: refunds start from a confirmed order.
      const refund = await rb.admin("POST", `/api/v1/admin/orders/${placed.order.id}/refunds`, {
        reason: "INC-506: refund the short payment",
      })
      expect(refund.status).toBe(409)
      expect(errorOf(refund).code).toBe("ILLEGAL_TRANSITION")
    }))
})
