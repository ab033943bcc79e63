import { Schema } from "effect"
import { CouponCode, CouponId, Email, OrderId, PaymentIntentId, ProductId, SessionId, Sku } from "./Ids.js"
import { Currency, MinorUnits, Money } from "./Money.js"
import { OrderStatus } from "./OrderStatus.js"

export const Quantity = Schema.Int.pipe(
  Schema.between(1, 1000, { message: () => "quantity must be an integer from 1 to 1000" }),
)

export const OrderItem = Schema.Struct({
  productId: ProductId,
  sku: Sku,
  name: Schema.String,
  unitPrice: Money,
  quantity: Quantity,
})
export type OrderItem = typeof OrderItem.Type

export const Totals = Schema.Struct({
  subtotal: MinorUnits,
  discount: MinorUnits,
  total: MinorUnits,
  currency: Currency,
})
export type Totals = typeof Totals.Type

export const Payment = Schema.Struct({
  sessionId: Schema.NullOr(SessionId),
  url: Schema.NullOr(Schema.String),
  paymentIntentId: Schema.NullOr(PaymentIntentId),
  amountReceived: Schema.NullOr(MinorUnits),
  currency: Schema.NullOr(Currency),
  /** Sum of refunds taken; compared against a constant in the refund's conditional write. */
  amountRefunded: MinorUnits,
  paidAt: Schema.NullOr(Schema.DateFromSelf),
})
export type Payment = typeof Payment.Type

export const Webhook = Schema.Struct({
  processedAt: Schema.NullOr(Schema.DateFromSelf),
  lastEventId: Schema.NullOr(Schema.String),
})

export const InvoiceStatus = Schema.Literal(
  "unscheduled",
  "pending",
  "issuing",
  "issued",
  "failed",
  "manual",
  "none",
)
export type InvoiceStatus = typeof InvoiceStatus.Type

export const Invoice = Schema.Struct({
  status: InvoiceStatus,
  number: Schema.NullOr(Schema.String),
  url: Schema.NullOr(Schema.String),
  attempts: Schema.Int.pipe(Schema.nonNegative()),
  lastError: Schema.NullOr(Schema.String),
  nextAttemptAt: Schema.NullOr(Schema.DateFromSelf),
})
export type Invoice = typeof Invoice.Type

export const Refund = Schema.Struct({
  /** Also the gateway idempotency key: `refund:<orderId>:<n>`. */
  id: Schema.String,
  amount: MinorUnits.pipe(Schema.positive()),
  gatewayRefundId: Schema.NullOr(Schema.String),
  reason: Schema.NullOr(Schema.String),
  restock: Schema.Boolean,
  at: Schema.DateFromSelf,
})
export type Refund = typeof Refund.Type

export const Order = Schema.Struct({
  id: OrderId,
  items: Schema.NonEmptyArray(OrderItem),
  totals: Totals,
  customerEmail: Email,
  couponCode: Schema.NullOr(CouponCode),
  couponId: Schema.NullOr(CouponId),
  status: OrderStatus,
  /** Why the order waits for a human in `payment_review`. */
  reviewReason: Schema.NullOr(Schema.String),
  /** Generation of this order's capacity holds; bumped when a late payment revives an expired order. */
  holdEpoch: Schema.Int.pipe(Schema.nonNegative()),
  expiresAt: Schema.DateFromSelf,
  accessToken: Schema.String,
  payment: Payment,
  webhook: Webhook,
  invoice: Invoice,
  refunds: Schema.Array(Refund),
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.DateFromSelf,
  version: Schema.Int.pipe(Schema.nonNegative()),
})
export type Order = typeof Order.Type
