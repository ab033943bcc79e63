import type { Coupon, Order, Product } from "@settle/domain"

/**
 * What leaves the server. The access token, capacity holds, hold epochs, review reasons (a fraud
 * signal) and gateway ids stay inside; dates go out as ISO strings.
 */

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString())

/** The customer's view of an order, for whoever holds its access token. */
export const orderView = (order: Order) => ({
  id: order.id,
  status: order.status,
  items: order.items.map((item) => ({
    sku: item.sku,
    name: item.name,
    unitPrice: item.unitPrice,
    quantity: item.quantity,
  })),
  totals: order.totals,
  email: order.customerEmail,
  couponCode: order.couponCode,
  payment: {
    // Only a pending order can still be paid; afterwards the session URL is of no use to anyone.
    url: order.status === "pending" ? order.payment.url : null,
    amountReceived: order.payment.amountReceived,
    amountRefunded: order.payment.amountRefunded,
    paidAt: iso(order.payment.paidAt),
  },
  confirmedAt: iso(order.webhook.processedAt),
  invoice: { status: order.invoice.status, number: order.invoice.number, url: order.invoice.url },
  refunds: order.refunds.map((refund) => ({ amount: refund.amount, at: refund.at.toISOString() })),
  expiresAt: order.expiresAt.toISOString(),
  createdAt: order.createdAt.toISOString(),
  updatedAt: order.updatedAt.toISOString(),
})

/** An admin's view of a product: stock counters, not the holds behind them. */
export const productView = (product: Product) => ({
  id: product.id,
  sku: product.sku,
  name: product.name,
  price: product.price,
  stock: product.stock,
  active: product.active,
  version: product.version,
  createdAt: product.createdAt.toISOString(),
  updatedAt: product.updatedAt.toISOString(),
})

/** An admin's view of a coupon: capacity counters, not the holds behind them. */
export const couponView = (coupon: Coupon) => ({
  id: coupon.id,
  code: coupon.code,
  discount: coupon.discount,
  maxRedemptions: coupon.maxRedemptions,
  available: coupon.available,
  reservedCount: coupon.reservedCount,
  redeemedCount: coupon.redeemedCount,
  expiresAt: iso(coupon.expiresAt),
  active: coupon.active,
  version: coupon.version,
  createdAt: coupon.createdAt.toISOString(),
  updatedAt: coupon.updatedAt.toISOString(),
})
