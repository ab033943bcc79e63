import {
  AuditRecord,
  ChargeRefunded,
  Coupon,
  CouponCode,
  CouponId,
  CouponReservation,
  type CouponTerms,
  Currency,
  Invoice,
  LedgerEntry,
  MediaAsset,
  money,
  Order,
  OrderId,
  Payment,
  PaymentIntentId,
  PaymentSucceeded,
  Product,
  ProductId,
  type ProductListing,
  Refund,
  SessionId,
  Sku,
  StripeEventId,
  Unrecognized,
} from "@settle/domain"

/** A fixed origin, so tests read instants as offsets from it. */
export const T0 = new Date("2030-01-01T00:00:00.000Z")

/** `n` minutes after T0; a new Date each call, so no two fixtures share a mutable instance. */
export const minute = (n: number): Date => new Date(T0.getTime() + n * 60_000)

// A counter, so two fixtures never collide on a unique index unless a test asks them to.
let seq = 0
const next = (prefix: string): string => `${prefix}_${++seq}`

export const aProduct = (overrides: Partial<Product> = {}): Product =>
  Product.make({
    id: ProductId.make(next("prd")),
    sku: Sku.make(next("SKU")),
    name: "Enamel mug",
    price: money(1500, "EUR"),
    stock: { available: 10, reserved: 0, committed: 0 },
    holds: [],
    active: true,
    createdAt: minute(0),
    updatedAt: minute(0),
    version: 0,
    ...overrides,
  })

/**
 * What the checkout reads of `product` (ProductCatalog.findBySkus): none of what a stock move changes
 * (holds, stock, version, updatedAt). Built field by field, so a read that carries more is unequal.
 */
export const listingOf = ({ id, sku, name, price, active, createdAt }: Product): ProductListing => ({
  id,
  sku,
  name,
  price,
  active,
  createdAt,
})

export const aPayment = (overrides: Partial<Payment> = {}): Payment =>
  Payment.make({
    sessionId: SessionId.make(next("cs")),
    url: "https://pay.example/session",
    paymentIntentId: null,
    amountReceived: null,
    currency: null,
    amountRefunded: 0,
    paidAt: null,
    ...overrides,
  })

export const anInvoice = (overrides: Partial<Invoice> = {}): Invoice =>
  Invoice.make({
    status: "unscheduled",
    number: null,
    url: null,
    attempts: 0,
    lastError: null,
    nextAttemptAt: null,
    ...overrides,
  })

export const anOrder = (overrides: Partial<Order> = {}): Order =>
  Order.make({
    id: OrderId.make(next("ord")),
    items: [
      {
        productId: ProductId.make("prd_mug"),
        sku: Sku.make("MUG-1"),
        name: "Enamel mug",
        unitPrice: money(1500, "EUR"),
        quantity: 2,
      },
    ],
    totals: { subtotal: 3000, discount: 0, total: 3000, currency: Currency.make("EUR") },
    customerEmail: "shopper@example.com",
    couponCode: null,
    couponId: null,
    status: "pending",
    reviewReason: null,
    holdEpoch: 0,
    expiresAt: minute(30),
    accessToken: "access-token",
    payment: aPayment(),
    webhook: { processedAt: null, lastEventId: null },
    invoice: anInvoice(),
    refunds: [],
    createdAt: minute(0),
    updatedAt: minute(0),
    version: 0,
    ...overrides,
  })

export const aRefund = (overrides: Partial<Refund> = {}): Refund =>
  Refund.make({
    id: next("refund"),
    amount: 1000,
    gatewayRefundId: null,
    reason: null,
    restock: false,
    at: minute(0),
    ...overrides,
  })

export const aCoupon = (overrides: Partial<Coupon> = {}): Coupon =>
  Coupon.make({
    id: CouponId.make(next("cpn")),
    code: CouponCode.make(next("SAVE").toUpperCase()),
    discount: { _tag: "percent", percent: 10 },
    maxRedemptions: 10,
    available: 10,
    reservedCount: 0,
    redeemedCount: 0,
    holds: [],
    expiresAt: null,
    active: true,
    createdAt: minute(0),
    updatedAt: minute(0),
    version: 0,
    ...overrides,
  })

/**
 * What the checkout reads of `coupon` (CouponRepository.findByCode): none of what a capacity move
 * changes (holds, counters, version, updatedAt). Built field by field, so a read that carries more is
 * unequal.
 */
export const termsOf = ({
  id,
  code,
  discount,
  maxRedemptions,
  expiresAt,
  active,
  createdAt,
}: Coupon): CouponTerms => ({
  id,
  code,
  discount,
  maxRedemptions,
  expiresAt,
  active,
  createdAt,
})

/**
 * What the admin reads answer of a coupon or product (`findSummary`, `listPage`, `update`): all of it
 * but its holds.
 */
export const summaryOf = <T extends object>(entity: T): Omit<T, "holds"> => {
  const { holds: _holds, ...summary } = entity as T & { readonly holds?: unknown }
  return summary
}

export const aReservation = (overrides: Partial<CouponReservation> = {}): CouponReservation =>
  CouponReservation.make({
    couponId: CouponId.make(next("cpn")),
    orderId: OrderId.make(next("ord")),
    status: "reserved",
    expiresAt: minute(30),
    createdAt: minute(0),
    updatedAt: minute(0),
    ...overrides,
  })

/** A captured checkout payment: the event finalization starts from. */
export const anEvent = (overrides: Partial<PaymentSucceeded> = {}): PaymentSucceeded =>
  PaymentSucceeded.make({
    eventId: StripeEventId.make(next("evt")),
    type: "checkout.session.completed",
    sessionId: SessionId.make(next("cs")),
    orderId: OrderId.make(next("ord")),
    paymentIntentId: PaymentIntentId.make(next("pi")),
    amount: money(3000, "EUR"),
    ...overrides,
  })

export const aChargeRefundedEvent = (overrides: Partial<typeof ChargeRefunded.Type> = {}) =>
  ChargeRefunded.make({
    eventId: StripeEventId.make(next("evt")),
    type: "charge.refunded",
    paymentIntentId: PaymentIntentId.make(next("pi")),
    refunds: [],
    ...overrides,
  })

export const anUnrecognizedEvent = (overrides: Partial<typeof Unrecognized.Type> = {}) =>
  Unrecognized.make({ eventId: StripeEventId.make(next("evt")), type: "customer.created", ...overrides })

export const aLedgerEntry = (overrides: Partial<LedgerEntry> = {}): LedgerEntry =>
  LedgerEntry.make({
    id: next("led"),
    orderId: OrderId.make(next("ord")),
    kind: "payment",
    amount: money(3000, "EUR"),
    externalId: next("pi"),
    idempotencyKey: next("checkout"),
    createdAt: minute(0),
    ...overrides,
  })

export const anAuditRecord = (overrides: Partial<AuditRecord> = {}): AuditRecord =>
  AuditRecord.make({
    id: next("aud"),
    actor: "ops@example.com",
    action: "order.note",
    orderId: null,
    reason: "customer called",
    before: null,
    after: null,
    at: minute(0),
    ...overrides,
  })

export const aMediaAsset = (overrides: Partial<MediaAsset> = {}): MediaAsset =>
  MediaAsset.make({
    id: next("med"),
    provider: "local",
    providerId: next("file"),
    url: "https://media.example/mug.png",
    bytes: 2048,
    format: "png",
    uploadedBy: "admin@example.com",
    createdAt: minute(0),
    ...overrides,
  })
