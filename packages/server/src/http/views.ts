import type { CouponSummary, Order, ProductSummary } from "@settle/domain"
import type { MoneyJson } from "./schemas/common.js"
import type { CouponJson } from "./schemas/coupons.js"
import type { CustomerOrderJson } from "./schemas/orders.js"
import type { ProductJson } from "./schemas/products.js"

/**
 * What leaves the server, typed by the response schemas in `schemas/`. The access token, capacity
 * holds, hold epochs, review reasons (a fraud signal) and gateway ids stay inside; dates go out as ISO
 * strings, money as `{ amount, currency }`.
 */

export const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString())

const money = (amount: number, currency: string): MoneyJson => ({ amount, currency })

/** A domain Money, copied field by field so nothing else a store attached leaves with it. */
export const moneyView = (value: { readonly amount: number; readonly currency: string }): MoneyJson =>
  money(value.amount, value.currency)

/** The currency refunds move in: what the provider captured, else (nothing captured yet) the order's. */
export const capturedCurrency = (order: Order): string => order.payment.currency ?? order.totals.currency

export const totalsView = (order: Order) => ({
  subtotal: money(order.totals.subtotal, order.totals.currency),
  discount: money(order.totals.discount, order.totals.currency),
  total: money(order.totals.total, order.totals.currency),
})

/** What was captured and what of it went back, each in the captured currency. */
export const paymentAmounts = (order: Order) => ({
  amountReceived:
    order.payment.amountReceived === null
      ? null
      : money(order.payment.amountReceived, capturedCurrency(order)),
  amountRefunded: money(order.payment.amountRefunded, capturedCurrency(order)),
})

/** The customer's view of an order, for whoever holds its access token. */
export const orderView = (order: Order): CustomerOrderJson => ({
  id: order.id,
  status: order.status,
  items: order.items.map((item) => ({
    sku: item.sku,
    name: item.name,
    unitPrice: moneyView(item.unitPrice),
    quantity: item.quantity,
  })),
  totals: totalsView(order),
  email: order.customerEmail,
  couponCode: order.couponCode,
  payment: {
    // Only a pending order can still be paid; afterwards the session URL is of no use to anyone.
    url: order.status === "pending" ? order.payment.url : null,
    ...paymentAmounts(order),
    paidAt: iso(order.payment.paidAt),
  },
  confirmedAt: iso(order.webhook.processedAt),
  invoice: { status: order.invoice.status, number: order.invoice.number, url: order.invoice.url },
  refunds: order.refunds.map((refund) => ({
    amount: money(refund.amount, capturedCurrency(order)),
    at: refund.at.toISOString(),
  })),
  expiresAt: order.expiresAt.toISOString(),
  createdAt: order.createdAt.toISOString(),
  updatedAt: order.updatedAt.toISOString(),
})

/** An admin's view of a product: stock counters, not the holds behind them. */
export const productView = (product: ProductSummary): ProductJson => ({
  id: product.id,
  sku: product.sku,
  name: product.name,
  price: moneyView(product.price),
  stock: {
    available: product.stock.available,
    reserved: product.stock.reserved,
    committed: product.stock.committed,
  },
  active: product.active,
  version: product.version,
  createdAt: product.createdAt.toISOString(),
  updatedAt: product.updatedAt.toISOString(),
})

/** An admin's view of a coupon: capacity counters, not the holds behind them. */
export const couponView = (coupon: CouponSummary): CouponJson => ({
  id: coupon.id,
  code: coupon.code,
  discount:
    coupon.discount._tag === "percent"
      ? { _tag: "percent", percent: coupon.discount.percent }
      : { _tag: "amount", amount: moneyView(coupon.discount.amount) },
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
