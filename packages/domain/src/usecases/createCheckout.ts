import { Effect, Either, Option } from "effect"
import { CouponUnavailable, InputRefused, InsufficientStock, UnknownCoupon, UnknownSku } from "../errors.js"
import { CheckoutRequest } from "../model/CheckoutRequest.js"
import type { CouponTerms } from "../model/Coupon.js"
import { holdKey } from "../model/Hold.js"
import { OrderId } from "../model/Ids.js"
import type { Order, OrderItem } from "../model/Order.js"
import { Clock } from "../ports/Clock.js"
import { CouponRepository } from "../ports/CouponRepository.js"
import { CouponReservationRepository } from "../ports/CouponReservationRepository.js"
import { IdGenerator } from "../ports/IdGenerator.js"
import { Metrics } from "../ports/Metrics.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import { PaymentGateway } from "../ports/PaymentGateway.js"
import { ProductCatalog } from "../ports/ProductCatalog.js"
import { decodeInput } from "./decodeInput.js"
import { priceCart } from "./pricing.js"
import { releaseOrder } from "./releaseOrder.js"

/**
 * The session expires with the reservation. Stripe refuses an `expires_at` under 30 minutes after its
 * own receipt of the request, so exactly 30 minutes from here would always arrive a little short.
 */
export const DEFAULT_RESERVATION_TTL_MS = 35 * 60 * 1000

export interface CheckoutResult {
  readonly order: Order
  readonly paymentUrl: string
}

const findItems = (request: CheckoutRequest) =>
  Effect.gen(function* () {
    const seen = new Set<string>()
    for (const [index, line] of request.items.entries()) {
      if (seen.has(line.sku)) {
        return yield* new InputRefused({ field: `items.${index}.sku`, message: "sku appears on two lines" })
      }
      seen.add(line.sku)
    }
    const products = yield* (yield* ProductCatalog).findBySkus(request.items.map((line) => line.sku))
    const items: Array<OrderItem> = []
    for (const line of request.items) {
      const product = products.find((p) => p.sku === line.sku)
      if (product === undefined || !product.active) return yield* new UnknownSku({ sku: line.sku })
      items.push({
        productId: product.id,
        sku: product.sku,
        name: product.name,
        unitPrice: product.price,
        quantity: line.quantity,
      })
    }
    return items
  })

/** Exhaustion is not checked here: the terms carry no capacity, the coupon hold decides it atomically. */
const findCoupon = (code: CheckoutRequest["couponCode"], now: Date) =>
  Effect.gen(function* () {
    if (code === undefined) return null
    const found = yield* (yield* CouponRepository).findByCode(code)
    if (Option.isNone(found)) return yield* new UnknownCoupon({ code })
    const coupon = found.value
    if (!coupon.active) return yield* new CouponUnavailable({ code, reason: "inactive" })
    if (coupon.expiresAt !== null && coupon.expiresAt <= now) {
      return yield* new CouponUnavailable({ code, reason: "expired" })
    }
    return coupon
  })

/** Hold stock and coupon capacity for a freshly inserted order; any refusal undoes what was taken. */
const holdCapacity = (order: Order, coupon: CouponTerms | null, now: Date) =>
  Effect.gen(function* () {
    const catalog = yield* ProductCatalog
    const key = holdKey(order.id, order.holdEpoch)
    for (const item of order.items) {
      const outcome = yield* catalog.hold(item.productId, key, order.id, item.quantity, now)
      if (outcome === "insufficient" || outcome === "not_found") {
        return yield* new InsufficientStock({ sku: item.sku, requested: item.quantity })
      }
    }
    if (coupon === null) return
    yield* (yield* CouponReservationRepository)
      .insert({
        couponId: coupon.id,
        orderId: order.id,
        status: "reserved",
        expiresAt: order.expiresAt,
        createdAt: now,
        updatedAt: now,
      })
      .pipe(Effect.catchTag("DuplicateKey", () => Effect.void))
    const outcome = yield* (yield* CouponRepository).hold(coupon.id, key, order.id, now)
    if (outcome === "insufficient" || outcome === "not_found") {
      return yield* new CouponUnavailable({ code: coupon.code, reason: "exhausted" })
    }
  })

/**
 * Price the cart, reserve stock and coupon, open a payment session. The order is written first, as
 * `pending` with its expiry, so whatever crashes later the expiry job finds it and releases its holds.
 */
export const createCheckout = (input: unknown, options: { readonly reservationTtlMs?: number } = {}) =>
  Effect.gen(function* () {
    const metrics = yield* Metrics
    yield* metrics.checkoutAttempt
    const request = yield* decodeInput(CheckoutRequest)(input)
    const now = yield* (yield* Clock).now
    const items = yield* findItems(request)
    const coupon = yield* findCoupon(request.couponCode, now)
    const totals = yield* Either.match(priceCart(items, request.currency, coupon?.discount ?? null), {
      onLeft: Effect.fail,
      onRight: Effect.succeed,
    })
    if (totals.total === 0) {
      return yield* new InputRefused({ field: "couponCode", message: "a coupon may not make the order free" })
    }
    const ids = yield* IdGenerator
    const orderId = OrderId.make(yield* ids.next("ord"))
    const order: Order = {
      id: orderId,
      items: [items[0]!, ...items.slice(1)],
      totals,
      customerEmail: request.email,
      couponCode: coupon?.code ?? null,
      couponId: coupon?.id ?? null,
      status: "pending",
      reviewReason: null,
      holdEpoch: 0,
      expiresAt: new Date(now.getTime() + (options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS)),
      accessToken: yield* ids.secret,
      payment: {
        sessionId: null,
        url: null,
        paymentIntentId: null,
        amountReceived: null,
        currency: null,
        amountRefunded: 0,
        paidAt: null,
      },
      webhook: { processedAt: null, lastEventId: null },
      invoice: {
        status: "unscheduled",
        number: null,
        url: null,
        attempts: 0,
        lastError: null,
        nextAttemptAt: null,
      },
      refunds: [],
      createdAt: now,
      updatedAt: now,
      version: 0,
    }
    const orders = yield* OrderRepository
    yield* orders.insert(order)
    const gateway = yield* PaymentGateway
    const { session, opened } = yield* holdCapacity(order, coupon, now).pipe(
      Effect.zipRight(
        gateway.openSession({
          orderId,
          lineItems: items.map((item) => ({
            name: item.name,
            unitAmount: item.unitPrice,
            quantity: item.quantity,
          })),
          amount: { amount: totals.total, currency: totals.currency },
          customerEmail: request.email,
          expiresAt: order.expiresAt,
          idempotencyKey: `checkout:${orderId}`,
        }),
      ),
      Effect.flatMap((session) =>
        Effect.map(
          orders.transition(
            orderId,
            ["pending"],
            { payment: { sessionId: session.sessionId, url: session.url } },
            now,
          ),
          (opened) => ({ session, opened }),
        ),
      ),
      // Whatever fails after the order exists (a hold, the gateway, recording the session), the customer
      // gets an error and no payment URL: cancel the order and give its holds back now rather than at
      // expiry. The checkout's own error is the answer; a failed release is left to the expiry job.
      Effect.tapError(() => Effect.ignore(releaseOrder(order, "cancel", now))),
    )
    return { order: Option.getOrElse(opened, () => order), paymentUrl: session.url } satisfies CheckoutResult
  }).pipe(
    Effect.tapError((error) => Effect.flatMap(Metrics, (metrics) => metrics.checkoutFailure(error._tag))),
    Effect.withSpan("createCheckout"),
  )
