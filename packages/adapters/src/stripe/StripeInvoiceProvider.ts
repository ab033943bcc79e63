import { type InvoiceOutcome, InvoiceProvider, InvoiceProviderError, type Order } from "@settle/domain"
import { Effect, Layer, Schema } from "effect"
import type Stripe from "stripe"
import { StripeClient } from "./StripeClient.js"
import { decodeWith, nullByDefault } from "./StripeObjects.js"
import { stripeCall } from "./stripeCall.js"

export interface StripeInvoiceProviderConfig {
  /**
   * The due date Stripe prints. The invoice documents a payment Checkout already took and is marked paid
   * right after it is finalized, so the date only shows on one stuck between the two (retried next run).
   */
  readonly daysUntilDue?: number
}

/** The parts of Stripe's invoice the adapter reads. */
const InvoiceSnapshot = Schema.Struct({
  id: Schema.String,
  status: Schema.NullOr(Schema.Literal("draft", "open", "paid", "uncollectible", "void")),
  number: nullByDefault(Schema.String),
  hosted_invoice_url: nullByDefault(Schema.String),
  metadata: nullByDefault(Schema.Record({ key: Schema.String, value: Schema.String })),
  lines: Schema.optionalWith(Schema.Struct({ data: Schema.Array(Schema.Unknown) }), {
    default: () => ({ data: [] }),
  }),
})
type InvoiceSnapshot = typeof InvoiceSnapshot.Type

const InvoicePage = Schema.Struct({ data: Schema.Array(InvoiceSnapshot) })
const CustomerPage = Schema.Struct({ data: Schema.Array(Schema.Struct({ id: Schema.String })) })
const CustomerCreated = Schema.Struct({ id: Schema.String })

const malformed = (what: string) => (issue: { readonly path: string; readonly message: string }) =>
  new InvoiceProviderError({
    message: `Stripe answered a malformed ${what} at ${issue.path || "(root)"}: ${issue.message}`,
  })

/** One SDK call; a failure (answered or not) is an InvoiceProviderError keeping the SDK's error. */
const invoiceCall = <A>(operation: string, call: () => Promise<A>) =>
  stripeCall(operation, call).pipe(
    Effect.mapError((error) => new InvoiceProviderError({ message: error.message, cause: error.cause })),
  )

/**
 * The invoice's lines: the items as sold, then the coupon's discount as one negative line, so Stripe's
 * total is exactly the order's total (what the customer paid) without a Stripe Coupon per order.
 */
export const invoiceLines = (order: Order): Array<Stripe.InvoiceAddLinesParams.Line> => {
  const currency = order.totals.currency.toLowerCase()
  const items = order.items.map(
    (item): Stripe.InvoiceAddLinesParams.Line => ({
      quantity: item.quantity,
      price_data: { currency, unit_amount: item.unitPrice.amount, product_data: { name: item.name } },
    }),
  )
  if (order.totals.discount === 0) return items
  const label = order.couponCode === null ? "Discount" : `Discount (${order.couponCode})`
  return [...items, { amount: -order.totals.discount, description: label }]
}

export const invoiceParams = (
  order: Order,
  customer: string,
  config: StripeInvoiceProviderConfig,
): Stripe.InvoiceCreateParams => ({
  customer,
  currency: order.totals.currency.toLowerCase(),
  // send_invoice with auto_advance off: Stripe must never try to collect (charge_automatically would
  // charge the customer's saved card a second time) nor e-mail a payment request for a paid order.
  collection_method: "send_invoice",
  days_until_due: config.daysUntilDue ?? 1,
  auto_advance: false,
  // Only the lines added below: pending items of the same customer belong to no order of ours.
  pending_invoice_items_behavior: "exclude",
  description: `Order ${order.id}`,
  metadata: {
    orderId: order.id,
    ...(order.payment.paymentIntentId === null ? {} : { paymentIntentId: order.payment.paymentIntentId }),
  },
})

/** What a settled Stripe invoice means to the order: issued with its number, or an error to retry. */
export const outcomeOf = (invoice: InvoiceSnapshot): Effect.Effect<InvoiceOutcome, InvoiceProviderError> =>
  invoice.status === "paid" && invoice.number !== null
    ? Effect.succeed({ _tag: "Issued", number: invoice.number, url: invoice.hosted_invoice_url })
    : Effect.fail(
        new InvoiceProviderError({
          message: `Stripe left invoice ${invoice.id} ${invoice.status ?? "without a status"}${invoice.number === null ? " and without a number" : ""}`,
        }),
      )

export const make = (stripe: Stripe, config: StripeInvoiceProviderConfig = {}): InvoiceProvider => {
  /** The customer by e-mail, so a returning shopper's invoices sit together; created on the first order. */
  const customerOf = (order: Order, key: string) =>
    invoiceCall("customers.list", () => stripe.customers.list({ email: order.customerEmail, limit: 1 })).pipe(
      Effect.flatMap(decodeWith(CustomerPage, malformed("customer list"))),
      Effect.flatMap(({ data: [found] }) =>
        found !== undefined
          ? Effect.succeed(found.id)
          : invoiceCall("customers.create", () =>
              stripe.customers.create(
                { email: order.customerEmail, metadata: { firstOrderId: order.id } },
                { idempotencyKey: `${key}:customer` },
              ),
            ).pipe(
              Effect.flatMap(decodeWith(CustomerCreated, malformed("customer"))),
              Effect.map((customer) => customer.id),
            ),
      ),
    )

  /**
   * The order's invoice if an earlier attempt created it. Stripe forgets idempotency keys after 24
   * hours, and a retry with backoff can come later than that: the metadata is what prevents a second
   * invoice then. Not void, so an invoice an operator voided by hand can be issued again.
   */
  const existing = (order: Order, customer: string) =>
    invoiceCall("invoices.list", () => stripe.invoices.list({ customer, limit: 100 })).pipe(
      Effect.flatMap(decodeWith(InvoicePage, malformed("invoice list"))),
      Effect.map(
        ({ data }) =>
          data.find((invoice) => invoice.metadata?.orderId === order.id && invoice.status !== "void") ?? null,
      ),
    )

  const decodeInvoice = decodeWith(InvoiceSnapshot, malformed("invoice"))

  const create = (order: Order, customer: string, key: string) =>
    invoiceCall("invoices.create", () =>
      stripe.invoices.create(invoiceParams(order, customer, config), { idempotencyKey: key }),
    ).pipe(Effect.flatMap(decodeInvoice))

  /** Lines go in one request, so a crash leaves a draft with all of them or none. */
  const addLines = (order: Order, invoice: InvoiceSnapshot, key: string) =>
    invoiceCall("invoices.addLines", () =>
      stripe.invoices.addLines(
        invoice.id,
        { lines: invoiceLines(order) },
        { idempotencyKey: `${key}:lines` },
      ),
    ).pipe(Effect.flatMap(decodeInvoice))

  const finalize = (invoice: InvoiceSnapshot, key: string) =>
    invoiceCall("invoices.finalizeInvoice", () =>
      stripe.invoices.finalizeInvoice(
        invoice.id,
        { auto_advance: false },
        { idempotencyKey: `${key}:finalize` },
      ),
    ).pipe(Effect.flatMap(decodeInvoice))

  /** Checkout took the money; the invoice records that payment instead of asking for another. */
  const markPaid = (invoice: InvoiceSnapshot, key: string) =>
    invoiceCall("invoices.pay", () =>
      stripe.invoices.pay(invoice.id, { paid_out_of_band: true }, { idempotencyKey: `${key}:paid` }),
    ).pipe(Effect.flatMap(decodeInvoice))

  const issue = (order: Order, key: string): Effect.Effect<InvoiceOutcome, InvoiceProviderError> =>
    Effect.gen(function* () {
      const customer = yield* customerOf(order, key)
      const found = yield* existing(order, customer)
      let invoice = found ?? (yield* create(order, customer, key))
      if (invoice.status === "draft") {
        if (found === null || invoice.lines.data.length === 0) invoice = yield* addLines(order, invoice, key)
        invoice = yield* finalize(invoice, key)
      }
      if (invoice.status !== "paid") invoice = yield* markPaid(invoice, key)
      return yield* outcomeOf(invoice)
    })

  // This adapter only issues; the mode operators switch to during an outage is applied around it.
  return InvoiceProvider.of({ mode: Effect.succeed("stripe"), issue })
}

export const layer = (
  config: StripeInvoiceProviderConfig = {},
): Layer.Layer<InvoiceProvider, never, StripeClient> =>
  Layer.effect(
    InvoiceProvider,
    Effect.map(StripeClient, (stripe) => make(stripe, config)),
  )
