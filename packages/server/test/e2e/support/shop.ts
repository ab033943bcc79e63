import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import { issueAdminToken } from "../../../src/auth/issueAdminToken.js"
import { type Answer, call, postJson } from "./http.js"

/** Secrets the e2e servers are started with, so tests can sign webhooks and mint admin tokens. */
export const WEBHOOK_SECRET = "whsec_ZTJlLXdlYmhvb2stc2lnbmluZy1zZWNyZXQtZm9yLXRlc3Rz"
export const ADMIN_SECRET = "e2e-admin-jwt-secret-at-least-32-bytes-long-0123"
export const SECRETS = { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, ADMIN_JWT_SECRET: ADMIN_SECRET }

export const adminToken = (claims: Record<string, unknown> = {}, expiresIn: number | string = "5m") =>
  Effect.runPromise(
    issueAdminToken(ADMIN_SECRET, { subject: "e2e-ops", email: "ops@example.com", expiresIn, claims }),
  )

export const bearer = async () => ({ Authorization: `Bearer ${await adminToken()}` })

export interface Stock {
  readonly available: number
  readonly reserved: number
  readonly committed: number
}

export interface ProductView {
  readonly id: string
  readonly sku: string
  readonly stock: Stock
}

/** A product of its own for one test (unique sku), so its stock counters move only by that test. */
export const createProduct = async (baseUrl: string, stock: number, price = 1250): Promise<ProductView> => {
  const sku = `E2E-${randomUUID().slice(0, 8).toUpperCase()}`
  const answer = await postJson(
    `${baseUrl}/api/v1/admin/products`,
    { sku, name: `e2e ${sku}`, price: { amount: price, currency: "EUR" }, stock },
    await bearer(),
  )
  if (answer.status !== 201)
    throw new Error(`product create answered ${answer.status}: ${JSON.stringify(answer.body)}`)
  return (answer.body as { product: ProductView }).product
}

export interface CouponView {
  readonly id: string
  readonly code: string
  readonly maxRedemptions: number
  readonly available: number
  readonly reservedCount: number
  readonly redeemedCount: number
}

/** A coupon of its own (a unique code starting `prefix`), 10% off, limited to `maxRedemptions`. */
export const createCoupon = async (
  baseUrl: string,
  maxRedemptions: number,
  prefix: string,
): Promise<CouponView> => {
  const code = `${prefix}-${randomUUID().slice(0, 8).toUpperCase()}`
  const answer = await postJson(
    `${baseUrl}/api/v1/admin/coupons`,
    { code, discount: { _tag: "percent", percent: 10 }, maxRedemptions },
    await bearer(),
  )
  if (answer.status !== 201)
    throw new Error(`coupon create answered ${answer.status}: ${JSON.stringify(answer.body)}`)
  return (answer.body as { coupon: CouponView }).coupon
}

export const stockOf = async (baseUrl: string, product: ProductView): Promise<Stock> => {
  const answer = await call(`${baseUrl}/api/v1/admin/products/${product.id}`, { headers: await bearer() })
  return (answer.body as { product: ProductView }).product.stock
}

export interface Placed {
  readonly order: {
    readonly id: string
    readonly status: string
    readonly totals: { readonly total: { readonly amount: number; readonly currency: string } }
  }
  readonly accessToken: string
  readonly paymentUrl: string
}

export const cartOf = (product: ProductView, quantity: number) => ({
  items: [{ sku: product.sku, quantity }],
  currency: "EUR",
  email: "shopper@example.com",
})

export const tryCheckout = (baseUrl: string, cart: unknown): Promise<Answer> =>
  postJson(`${baseUrl}/api/v1/checkout`, cart)

export const checkout = async (baseUrl: string, cart: unknown): Promise<Placed> => {
  const answer = await tryCheckout(baseUrl, cart)
  if (answer.status !== 201)
    throw new Error(`checkout answered ${answer.status}: ${JSON.stringify(answer.body)}`)
  return answer.body as Placed
}

/** The checkout session id: the last segment of the payment URL (sandbox and Stripe alike). */
export const sessionIdOf = (placed: Placed): string => {
  const id = new URL(placed.paymentUrl).pathname.split("/").at(-1)
  if (id === undefined || id === "") throw new Error(`no session id in ${placed.paymentUrl}`)
  return id
}

export interface OrderView {
  readonly id: string
  readonly status: string
  readonly confirmedAt: string | null
  readonly payment: {
    readonly amountReceived: { readonly amount: number; readonly currency: string } | null
    readonly paidAt: string | null
  }
}

export const orderOf = async (baseUrl: string, placed: Placed): Promise<OrderView> => {
  const answer = await call(`${baseUrl}/api/v1/orders/${placed.order.id}`, {
    headers: { "X-Order-Token": placed.accessToken },
  })
  if (answer.status !== 200)
    throw new Error(`order read answered ${answer.status}: ${JSON.stringify(answer.body)}`)
  return (answer.body as { order: OrderView }).order
}
