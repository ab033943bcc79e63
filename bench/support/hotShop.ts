import { call } from "../../packages/server/test/e2e/support/http.js"
import {
  bearer,
  type CouponView,
  cartOf,
  createCoupon,
  createProduct,
  type ProductView,
} from "../../packages/server/test/e2e/support/shop.js"

/** The admin API's coupon, as GET /api/v1/admin/coupons/:id answers it (counters, not holds). */
export interface CouponJson extends CouponView {
  readonly [field: string]: unknown
}

/** The admin API's product (stock counters, not holds). */
export interface ProductJson extends ProductView {
  readonly [field: string]: unknown
}

/** One coupon and one product every checkout of the run uses: the flash sale. */
export interface HotShop {
  readonly baseUrl: string
  readonly product: ProductView
  readonly coupon: CouponView
  /** The body of every checkout: one unit of the product, with the coupon. */
  readonly cart: string
}

/** A product of `units` and a coupon of `redemptions`, every checkout taking one of each. */
export const openHotShop = async (baseUrl: string, units: number, redemptions: number): Promise<HotShop> => {
  const product = await createProduct(baseUrl, units)
  const coupon = await createCoupon(baseUrl, redemptions, "HOT")
  return {
    baseUrl,
    product,
    coupon,
    cart: JSON.stringify({ ...cartOf(product, 1), couponCode: coupon.code }),
  }
}

const adminRead = async <A>(url: string, field: string): Promise<A> => {
  const answer = await call(url, { headers: await bearer() })
  if (answer.status !== 200) throw new Error(`GET ${url} answered ${answer.status}`)
  return (answer.body as Record<string, A>)[field] as A
}

export const couponNow = (shop: HotShop) =>
  adminRead<CouponJson>(`${shop.baseUrl}/api/v1/admin/coupons/${shop.coupon.id}`, "coupon")

export const productNow = (shop: HotShop) =>
  adminRead<ProductJson>(`${shop.baseUrl}/api/v1/admin/products/${shop.product.id}`, "product")

/**
 * What the run must leave after `placed` checkouts, nothing paid or expired: every one holds a unit of
 * both. Answers the disagreements, empty when the counters agree.
 */
export const verifyHeld = async (shop: HotShop, placed: number): Promise<Array<string>> => {
  const coupon = await couponNow(shop)
  const product = await productNow(shop)
  const problems: Array<string> = []
  const expected = {
    available: coupon.maxRedemptions - placed,
    reservedCount: placed,
    redeemedCount: 0,
  }
  const got = {
    available: coupon.available,
    reservedCount: coupon.reservedCount,
    redeemedCount: coupon.redeemedCount,
  }
  if (JSON.stringify(got) !== JSON.stringify(expected))
    problems.push(`coupon counters ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`)
  const units = shop.product.stock.available
  const stock = { available: units - placed, reserved: placed, committed: 0 }
  if (JSON.stringify(product.stock) !== JSON.stringify(stock))
    problems.push(`product stock ${JSON.stringify(product.stock)}, expected ${JSON.stringify(stock)}`)
  return problems
}
