import {
  CouponCode,
  Currency,
  Email,
  InvoiceProvider,
  money,
  OrderId,
  PaymentIntentId,
  ProductId,
  Sku,
} from "@settle/domain"
import { anOrder } from "@settle/testkit/fixtures"
import { Effect, Layer } from "effect"
import Stripe from "stripe"
import { describe, expect, it } from "vitest"
import * as StripeClient from "../../src/stripe/StripeClient.js"
import * as StripeInvoiceProvider from "../../src/stripe/StripeInvoiceProvider.js"
import { closedPort, failureOf, recordingClient, SECRET_KEY, stripeMockUrl } from "./support.js"

// The InvoiceProviderSuite contract is not run here: stripe-mock is stateless (every create answers a
// fresh fixture, an idempotency key replays nothing, a finalized invoice reads back as a draft without a
// number), so "one invoice per key" cannot be shown on it. It runs against the memory provider, and
// with the store-backed mode switch on both stores; here stripe-mock proves what it can: every
// request Stripe's OpenAPI accepts, in order, under its idempotency key, and the mapping of answers.

const orderId = OrderId.make("ord_invoice_1")
const order = anOrder({
  id: orderId,
  status: "confirmed",
  customerEmail: Email.make("shopper@example.com"),
  items: [
    {
      productId: ProductId.make("prd_mug"),
      sku: Sku.make("MUG-1"),
      name: "Enamel mug",
      unitPrice: money(1250, "EUR"),
      quantity: 2,
    },
    {
      productId: ProductId.make("prd_pot"),
      sku: Sku.make("POT-1"),
      name: "Teapot",
      unitPrice: money(1000, "EUR"),
      quantity: 1,
    },
  ],
  totals: { subtotal: 3500, discount: 350, total: 3150, currency: Currency.make("EUR") },
  couponCode: CouponCode.make("SAVE10"),
})
const paidOrder = {
  ...order,
  payment: { ...order.payment, paymentIntentId: PaymentIntentId.make("pi_settle_1") },
}
const KEY = `invoice:${orderId}`

const providerOn = (apiBaseUrl?: string) =>
  Effect.map(recordingClient(apiBaseUrl), ({ stripe, requests }) => ({
    provider: StripeInvoiceProvider.make(stripe),
    requests,
  }))

const paidInvoice = {
  id: "in_1",
  status: "paid" as const,
  number: "SETTLE-0001",
  hosted_invoice_url: "https://invoice.stripe.com/i/acct_1/test_1",
  metadata: { orderId },
  lines: { data: [] },
}

describe("StripeInvoiceProvider on stripe-mock", () => {
  it("finds the customer, creates, fills, finalizes and marks paid the order's invoice, each under its key", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const { provider, requests } = yield* providerOn()
        const error = yield* failureOf(provider.issue(paidOrder, KEY))
        expect(
          requests.map(({ method, path, idempotency_key }) => ({
            method,
            path: path.split("?")[0],
            idempotency_key: method === "POST" ? idempotency_key : null,
          })),
        ).toEqual([
          // stripe-mock's customer list holds one customer, so none is created.
          { method: "GET", path: "/v1/customers", idempotency_key: null },
          { method: "GET", path: "/v1/invoices", idempotency_key: null },
          { method: "POST", path: "/v1/invoices", idempotency_key: KEY },
          {
            method: "POST",
            path: expect.stringMatching(/^\/v1\/invoices\/in_\w+\/add_lines$/),
            idempotency_key: `${KEY}:lines`,
          },
          {
            method: "POST",
            path: expect.stringMatching(/^\/v1\/invoices\/in_\w+\/finalize$/),
            idempotency_key: `${KEY}:finalize`,
          },
          {
            method: "POST",
            path: expect.stringMatching(/^\/v1\/invoices\/in_\w+\/pay$/),
            idempotency_key: `${KEY}:paid`,
          },
        ])
        expect(requests.every((request) => request.api_version === Stripe.API_VERSION)).toBe(true)
        const [, , create, lines, finalize, pay] = requests
        expect(create?.body).toEqual({
          customer: expect.stringMatching(/^cus_/),
          currency: "eur",
          collection_method: "send_invoice",
          days_until_due: 1,
          auto_advance: false,
          pending_invoice_items_behavior: "exclude",
          description: `Order ${orderId}`,
          metadata: { orderId, paymentIntentId: "pi_settle_1" },
        })
        expect(lines?.body).toEqual({
          lines: [
            {
              quantity: 2,
              price_data: { currency: "eur", unit_amount: 1250, product_data: { name: "Enamel mug" } },
            },
            {
              quantity: 1,
              price_data: { currency: "eur", unit_amount: 1000, product_data: { name: "Teapot" } },
            },
            { amount: -350, description: "Discount (SAVE10)" },
          ],
        })
        expect(finalize?.body).toEqual({ auto_advance: false })
        expect(pay?.body).toEqual({ paid_out_of_band: true })
        // stripe-mock answers every step with a draft fixture: never recorded as an issued invoice.
        expect(error._tag).toBe("InvoiceProviderError")
        expect(error.message).toMatch(/left invoice in_\w+ draft and without a number/)
      }),
    ))

  it("looks the customer up by the order's e-mail", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const { provider, requests } = yield* providerOn()
        yield* Effect.either(provider.issue(order, KEY))
        expect(requests[0]?.path).toBe("/v1/customers?email=shopper%40example.com&limit=1")
        expect(requests[1]?.path).toMatch(/^\/v1\/invoices\?customer=cus_\w+&limit=100$/)
      }),
    ))

  it("sends the items alone when there is no discount, and no payment intent it does not know", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const { provider, requests } = yield* providerOn()
        const plain = { ...order, couponCode: null, totals: { ...order.totals, discount: 0, total: 3500 } }
        yield* Effect.either(provider.issue(plain, KEY))
        const create = requests.find((r) => r.method === "POST" && r.path === "/v1/invoices")
        expect(create?.body).toMatchObject({ metadata: { orderId } })
        expect(create?.body).not.toHaveProperty("metadata.paymentIntentId")
        const lines = requests.find((r) => r.path.endsWith("/add_lines"))
        expect(lines?.body).toEqual({
          lines: [expect.objectContaining({ quantity: 2 }), expect.objectContaining({ quantity: 1 })],
        })
      }),
    ))

  it("turns a parameter Stripe refuses into InvoiceProviderError, keeping the SDK's error", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const { provider } = yield* providerOn()
        const halfMug = { ...order, items: [{ ...order.items[0], quantity: 0.5 }] } as unknown as typeof order
        const error = yield* failureOf(provider.issue(halfMug, KEY))
        expect(error._tag).toBe("InvoiceProviderError")
        expect(error.cause).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
      }),
    ))

  it("turns an unreachable Stripe into InvoiceProviderError", async () => {
    const port = await closedPort()
    await Effect.runPromise(
      Effect.gen(function* () {
        const { provider } = yield* providerOn(`http://127.0.0.1:${port}`)
        const error = yield* failureOf(provider.issue(order, KEY))
        expect(error._tag).toBe("InvoiceProviderError")
        expect(error.cause).toBeInstanceOf(Stripe.errors.StripeConnectionError)
      }),
    )
  })

  it("only issues: its mode is stripe, the switch is applied around it", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        expect(yield* (yield* InvoiceProvider).mode).toBe("stripe")
      }).pipe(
        Effect.provide(
          StripeInvoiceProvider.layer().pipe(
            Layer.provide(StripeClient.layer({ secretKey: SECRET_KEY, apiBaseUrl: stripeMockUrl() })),
          ),
        ),
      ),
    ))
})

describe("StripeInvoiceProvider's reading of Stripe's invoice", () => {
  it("records a paid invoice with its number and hosted page", () =>
    expect(Effect.runSync(StripeInvoiceProvider.outcomeOf(paidInvoice))).toEqual({
      _tag: "Issued",
      number: "SETTLE-0001",
      url: "https://invoice.stripe.com/i/acct_1/test_1",
    }))

  it("refuses an open invoice or one without a number: the order stays due and is retried", () => {
    for (const invoice of [
      { ...paidInvoice, status: "open" as const },
      { ...paidInvoice, number: null },
    ]) {
      const error = Effect.runSync(Effect.flip(StripeInvoiceProvider.outcomeOf(invoice)))
      expect(error._tag).toBe("InvoiceProviderError")
    }
  })
})
