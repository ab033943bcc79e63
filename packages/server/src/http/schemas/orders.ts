import { InvoiceStatus, LedgerKind, OrderStatus } from "@settle/domain"
import { Schema } from "effect"
import { AnyJson, Count, IsoDateTime, MoneyJson, NextCursor, NullableDateTime } from "./common.js"
import { CustomerRefundJson, RefundJson } from "./refunds.js"

const Quantity = Schema.Int.pipe(Schema.positive())

/** What the order costs, each figure with its currency. */
export const TotalsJson = Schema.Struct({ subtotal: MoneyJson, discount: MoneyJson, total: MoneyJson })

const CustomerItem = Schema.Struct({
  sku: Schema.String,
  name: Schema.String,
  unitPrice: MoneyJson,
  quantity: Quantity,
})

/** The customer's view of an order, for whoever holds its access token. */
export const CustomerOrderJson = Schema.Struct({
  id: Schema.String,
  status: OrderStatus,
  items: Schema.Array(CustomerItem),
  totals: TotalsJson,
  email: Schema.String,
  couponCode: Schema.NullOr(Schema.String),
  payment: Schema.Struct({
    url: Schema.NullOr(Schema.String),
    /** What the provider captured, in the currency it captured; null until paid. */
    amountReceived: Schema.NullOr(MoneyJson),
    amountRefunded: MoneyJson,
    paidAt: NullableDateTime,
  }),
  confirmedAt: NullableDateTime,
  invoice: Schema.Struct({
    status: InvoiceStatus,
    number: Schema.NullOr(Schema.String),
    url: Schema.NullOr(Schema.String),
  }),
  refunds: Schema.Array(CustomerRefundJson),
  expiresAt: IsoDateTime,
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
}).annotations({ identifier: "CustomerOrder" })
export type CustomerOrderJson = typeof CustomerOrderJson.Type

/** What an operator sees of an order (the access token and the pay link stay inside). */
export const AdminOrderJson = Schema.Struct({
  id: Schema.String,
  status: OrderStatus,
  reviewReason: Schema.NullOr(Schema.String),
  items: Schema.Array(
    Schema.Struct({
      productId: Schema.String,
      sku: Schema.String,
      name: Schema.String,
      unitPrice: MoneyJson,
      quantity: Quantity,
    }),
  ),
  totals: TotalsJson,
  email: Schema.String,
  couponCode: Schema.NullOr(Schema.String),
  couponId: Schema.NullOr(Schema.String),
  payment: Schema.Struct({
    sessionId: Schema.NullOr(Schema.String),
    paymentIntentId: Schema.NullOr(Schema.String),
    /** What the provider captured, in the currency it captured; null until paid. */
    amountReceived: Schema.NullOr(MoneyJson),
    amountRefunded: MoneyJson,
    paidAt: NullableDateTime,
  }),
  webhook: Schema.Struct({ processedAt: NullableDateTime, lastEventId: Schema.NullOr(Schema.String) }),
  invoice: Schema.Struct({
    status: InvoiceStatus,
    number: Schema.NullOr(Schema.String),
    url: Schema.NullOr(Schema.String),
    attempts: Count,
    lastError: Schema.NullOr(Schema.String),
    nextAttemptAt: NullableDateTime,
  }),
  refunds: Schema.Array(RefundJson),
  expiresAt: IsoDateTime,
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  version: Count,
}).annotations({ identifier: "AdminOrder" })
export type AdminOrderJson = typeof AdminOrderJson.Type

export const LedgerEntryJson = Schema.Struct({
  id: Schema.String,
  kind: LedgerKind,
  amount: MoneyJson,
  externalId: Schema.String,
  idempotencyKey: Schema.String,
  createdAt: IsoDateTime,
}).annotations({ identifier: "LedgerEntry" })
export type LedgerEntryJson = typeof LedgerEntryJson.Type

export const AuditRecordJson = Schema.Struct({
  id: Schema.String,
  actor: Schema.String,
  action: Schema.String,
  reason: Schema.NullOr(Schema.String),
  before: AnyJson,
  after: AnyJson,
  at: IsoDateTime,
}).annotations({ identifier: "AuditRecord" })
export type AuditRecordJson = typeof AuditRecordJson.Type

/** `GET /api/v1/admin/orders`: a page, newest first. */
export const OrderPage = Schema.Struct({ orders: Schema.Array(AdminOrderJson), nextCursor: NextCursor })

/** `GET /api/v1/admin/orders/:id`: the order with its books and its trail. */
export const OrderDetail = Schema.Struct({
  order: AdminOrderJson,
  ledger: Schema.Array(LedgerEntryJson),
  audit: Schema.Array(AuditRecordJson),
})

/** `POST /api/v1/admin/orders/:id/refunds`. */
export const RefundAnswer = Schema.Struct({ refund: RefundJson, order: AdminOrderJson })

/** `POST /api/v1/admin/orders/:id/notes`: the note is an audit record on the order. */
export const NoteAnswer = Schema.Struct({ note: AuditRecordJson })
