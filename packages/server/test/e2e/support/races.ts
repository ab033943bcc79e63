import { expect } from "vitest"
import { call, errorOf, postJson } from "./http.js"
import {
  bearer,
  type CouponView,
  cartOf,
  createCoupon,
  createProduct,
  type Placed,
  type ProductView,
  stockOf,
} from "./shop.js"

/** Concurrent shoppers per race: all fired at once, far more than the capacity they contend for. */
export const SHOPPERS = 200
/** A coupon's redemption limit, and a product's scarce stock (one unit per checkout), in the races. */
export const COUPON_LIMIT = 50
export const SCARCE_STOCK = 37

export const couponOf = async (baseUrl: string, coupon: CouponView): Promise<CouponView> => {
  const answer = await call(`${baseUrl}/api/v1/admin/coupons/${coupon.id}`, { headers: await bearer() })
  return (answer.body as { coupon: CouponView }).coupon
}

export interface RaceResult {
  /** The orders whose checkout answered 201. */
  readonly placed: ReadonlyArray<Placed>
  /** Every other answer as `<status> <code>[ <reason>]`, counted. */
  readonly refused: Readonly<Record<string, number>>
  readonly elapsedMs: number
}

const refusalOf = (status: number, body: unknown): string => {
  const error = errorOf({ status, headers: new Headers(), body })
  const reason = error.details?.reason
  return `${status} ${error.code}${typeof reason === "string" ? ` ${reason}` : ""}`
}

/** Fires `SHOPPERS` checkouts of `cart` at once (fetch opens a loopback connection per request). */
export const race = async (baseUrl: string, cart: unknown): Promise<RaceResult> => {
  const started = performance.now()
  const answers = await Promise.all(
    Array.from({ length: SHOPPERS }, () => postJson(`${baseUrl}/api/v1/checkout`, cart)),
  )
  const elapsedMs = Math.round(performance.now() - started)
  const placed: Array<Placed> = []
  const refused: Record<string, number> = {}
  for (const answer of answers) {
    if (answer.status === 201) placed.push(answer.body as Placed)
    else {
      const key = refusalOf(answer.status, answer.body)
      refused[key] = (refused[key] ?? 0) + 1
    }
  }
  // The figures the issue asks to report, in the test output (winners, refusals, wall time).
  console.info(`[race] ${placed.length} placed, refused ${JSON.stringify(refused)}, ${elapsedMs} ms`)
  return { placed, refused, elapsedMs }
}

export interface CouponRace extends RaceResult {
  readonly coupon: CouponView
  readonly product: ProductView
}

/**
 * `SHOPPERS` checkouts with a `COUPON_LIMIT` coupon on a product with stock for all: exactly the limit
 * get it, the rest are told it is exhausted, and the counters, stock and leak check agree.
 */
export const couponRace = async (baseUrl: string): Promise<CouponRace> => {
  const product = await createProduct(baseUrl, SHOPPERS)
  const coupon = await createCoupon(baseUrl, COUPON_LIMIT, "RACE")
  const result = await race(baseUrl, { ...cartOf(product, 1), couponCode: coupon.code })
  expect(result.placed).toHaveLength(COUPON_LIMIT)
  expect(new Set(result.placed.map((placed) => placed.order.id)).size).toBe(COUPON_LIMIT)
  expect(result.refused).toEqual({ "409 COUPON_UNAVAILABLE exhausted": SHOPPERS - COUPON_LIMIT })
  expect(await couponOf(baseUrl, coupon)).toMatchObject({
    maxRedemptions: COUPON_LIMIT,
    available: 0,
    reservedCount: COUPON_LIMIT,
    redeemedCount: 0,
  })
  // The losers' stock went back: only the winners' units stay reserved.
  expect(await stockOf(baseUrl, product)).toEqual({
    available: SHOPPERS - COUPON_LIMIT,
    reserved: COUPON_LIMIT,
    committed: 0,
  })
  const health = await call(`${baseUrl}/api/v1/admin/health/orders`, { headers: await bearer() })
  expect(health.body).toMatchObject({ couponReservationLeaks: 0 })
  return { ...result, coupon, product }
}

export interface StockRace extends RaceResult {
  readonly product: ProductView
}

/** `SHOPPERS` one-unit checkouts of a product with `SCARCE_STOCK`: exactly the stock is sold. */
export const stockRace = async (baseUrl: string): Promise<StockRace> => {
  const product = await createProduct(baseUrl, SCARCE_STOCK)
  const result = await race(baseUrl, cartOf(product, 1))
  expect(result.placed).toHaveLength(SCARCE_STOCK)
  expect(result.refused).toEqual({ "409 INSUFFICIENT_STOCK": SHOPPERS - SCARCE_STOCK })
  // Conserved, never negative: every unit is either still on sale or held by exactly one winner.
  expect(await stockOf(baseUrl, product)).toEqual({ available: 0, reserved: SCARCE_STOCK, committed: 0 })
  return { ...result, product }
}
