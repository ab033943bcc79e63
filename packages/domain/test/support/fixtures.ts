import {
  Currency,
  type Invoice,
  money,
  type Order,
  OrderId,
  PaymentIntentId,
  ProductId,
  SessionId,
  Sku,
} from "../../src/index.js"

export const T0 = new Date("2030-01-01T00:00:00.000Z")
export const MUG = ProductId.make("prd_mug")
export const PLATE = ProductId.make("prd_plate")

export const anInvoice = (overrides: Partial<Invoice> = {}): Invoice => ({
  status: "unscheduled",
  number: null,
  url: null,
  attempts: 0,
  lastError: null,
  nextAttemptAt: null,
  ...overrides,
})

/** A confirmed order: 2 mugs at 10.00 and 1 plate at 10.00, 30.00 EUR captured by `pi_<id>`. */
export const aConfirmedOrder = (id: string, overrides: Partial<Order> = {}): Order => ({
  id: OrderId.make(id),
  items: [
    {
      productId: MUG,
      sku: Sku.make("MUG-1"),
      name: "Enamel mug",
      unitPrice: money(1000, "EUR"),
      quantity: 2,
    },
    { productId: PLATE, sku: Sku.make("PLATE-1"), name: "Plate", unitPrice: money(1000, "EUR"), quantity: 1 },
  ],
  totals: { subtotal: 3000, discount: 0, total: 3000, currency: Currency.make("EUR") },
  customerEmail: "shopper@example.com",
  couponCode: null,
  couponId: null,
  status: "confirmed",
  reviewReason: null,
  holdEpoch: 0,
  expiresAt: T0,
  accessToken: "token",
  payment: {
    sessionId: SessionId.make(`cs_${id}`),
    url: null,
    paymentIntentId: PaymentIntentId.make(`pi_${id}`),
    amountReceived: 3000,
    currency: Currency.make("EUR"),
    amountRefunded: 0,
    paidAt: T0,
  },
  webhook: { processedAt: T0, lastEventId: null },
  invoice: anInvoice({ status: "pending", nextAttemptAt: T0 }),
  refunds: [],
  createdAt: T0,
  updatedAt: T0,
  version: 0,
  ...overrides,
})
