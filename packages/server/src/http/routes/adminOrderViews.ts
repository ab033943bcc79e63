import type { AuditRecord, LedgerEntry, Order, Refund, WebhookEvent } from "@settle/domain"

/**
 * What an operator sees of an order: everything the runbook's recovery steps ask about (payment and
 * session ids, webhook.processedAt, invoice state, refunds with their idempotency keys). The customer's
 * access token and the pay link stay inside: an operator needs neither, and both are capabilities.
 */

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString())

export const refundView = (refund: Refund) => ({
  // Also the Stripe idempotency key, `refund:<orderId>:<n>`: the runbook asks manual edits to keep it.
  id: refund.id,
  amount: refund.amount,
  gatewayRefundId: refund.gatewayRefundId,
  reason: refund.reason,
  restock: refund.restock,
  at: refund.at.toISOString(),
})

export const adminOrderView = (order: Order) => ({
  id: order.id,
  status: order.status,
  reviewReason: order.reviewReason,
  items: order.items.map((item) => ({
    productId: item.productId,
    sku: item.sku,
    name: item.name,
    unitPrice: item.unitPrice,
    quantity: item.quantity,
  })),
  totals: order.totals,
  email: order.customerEmail,
  couponCode: order.couponCode,
  couponId: order.couponId,
  payment: {
    sessionId: order.payment.sessionId,
    paymentIntentId: order.payment.paymentIntentId,
    amountReceived: order.payment.amountReceived,
    currency: order.payment.currency,
    amountRefunded: order.payment.amountRefunded,
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
  refunds: order.refunds.map(refundView),
  expiresAt: order.expiresAt.toISOString(),
  createdAt: order.createdAt.toISOString(),
  updatedAt: order.updatedAt.toISOString(),
  version: order.version,
})

export const ledgerEntryView = (entry: LedgerEntry) => ({
  id: entry.id,
  kind: entry.kind,
  amount: entry.amount,
  externalId: entry.externalId,
  idempotencyKey: entry.idempotencyKey,
  createdAt: entry.createdAt.toISOString(),
})

export const auditRecordView = (record: AuditRecord) => ({
  id: record.id,
  actor: record.actor,
  action: record.action,
  reason: record.reason,
  before: record.before,
  after: record.after,
  at: record.at.toISOString(),
})

/** An inbox record as the runbook's scenario 4 inspects it; the payload stays inside. */
export const webhookEventView = (event: WebhookEvent) => ({
  stripeEventId: event.stripeEventId,
  type: event.type,
  status: event.status,
  attempts: event.attempts,
  lastError: event.lastError,
  orderId: event.orderId,
  createdAt: event.createdAt.toISOString(),
})
