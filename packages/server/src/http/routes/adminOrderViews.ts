import type { AuditRecord, LedgerEntry, Order, Refund, WebhookEvent } from "@settle/domain"
import type { WebhookEventJson } from "../schemas/health.js"
import type { AdminOrderJson, AuditRecordJson, LedgerEntryJson } from "../schemas/orders.js"
import type { RefundJson } from "../schemas/refunds.js"
import { capturedCurrency, iso, moneyView, paymentAmounts, totalsView } from "../views.js"

/**
 * What an operator sees of an order: everything the runbook's recovery steps ask about (payment and
 * session ids, webhook.processedAt, invoice state, refunds with their idempotency keys). The customer's
 * access token and the pay link stay inside: an operator needs neither, and both are capabilities.
 */

/** A refund of `order`, its amount in the currency the provider captured. */
export const refundView = (refund: Refund, order: Order): RefundJson => ({
  // Also the Stripe idempotency key, `refund:<orderId>:<n>`: the runbook asks manual edits to keep it.
  id: refund.id,
  amount: moneyView({ amount: refund.amount, currency: capturedCurrency(order) }),
  gatewayRefundId: refund.gatewayRefundId,
  reason: refund.reason,
  restock: refund.restock,
  at: refund.at.toISOString(),
})

export const adminOrderView = (order: Order): AdminOrderJson => ({
  id: order.id,
  status: order.status,
  reviewReason: order.reviewReason,
  items: order.items.map((item) => ({
    productId: item.productId,
    sku: item.sku,
    name: item.name,
    unitPrice: moneyView(item.unitPrice),
    quantity: item.quantity,
  })),
  totals: totalsView(order),
  email: order.customerEmail,
  couponCode: order.couponCode,
  couponId: order.couponId,
  payment: {
    sessionId: order.payment.sessionId,
    paymentIntentId: order.payment.paymentIntentId,
    ...paymentAmounts(order),
    paidAt: iso(order.payment.paidAt),
  },
  webhook: { processedAt: iso(order.webhook.processedAt), lastEventId: order.webhook.lastEventId },
  invoice: {
    status: order.invoice.status,
    number: order.invoice.number,
    url: order.invoice.url,
    attempts: order.invoice.attempts,
    lastError: order.invoice.lastError,
    nextAttemptAt: iso(order.invoice.nextAttemptAt),
  },
  refunds: order.refunds.map((refund) => refundView(refund, order)),
  expiresAt: order.expiresAt.toISOString(),
  createdAt: order.createdAt.toISOString(),
  updatedAt: order.updatedAt.toISOString(),
  version: order.version,
})

export const ledgerEntryView = (entry: LedgerEntry): LedgerEntryJson => ({
  id: entry.id,
  kind: entry.kind,
  amount: moneyView(entry.amount),
  externalId: entry.externalId,
  idempotencyKey: entry.idempotencyKey,
  createdAt: entry.createdAt.toISOString(),
})

export const auditRecordView = (record: AuditRecord): AuditRecordJson => ({
  id: record.id,
  actor: record.actor,
  action: record.action,
  reason: record.reason,
  before: record.before,
  after: record.after,
  at: record.at.toISOString(),
})

/** An inbox record as the runbook's scenario 4 inspects it; the payload stays inside. */
export const webhookEventView = (event: WebhookEvent): WebhookEventJson => ({
  stripeEventId: event.stripeEventId,
  type: event.type,
  status: event.status,
  attempts: event.attempts,
  lastError: event.lastError,
  orderId: event.orderId,
  createdAt: event.createdAt.toISOString(),
})
