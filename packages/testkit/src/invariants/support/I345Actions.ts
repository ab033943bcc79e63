import { SandboxControl, type SandboxPayment, type SandboxRefused } from "@settle/adapters"
import {
  Clock,
  type Coupon,
  createCheckout,
  handlePaymentEvent,
  money,
  type Order,
  OrderRepository,
  type PaymentEvent,
  Product,
  ProductId,
  type SessionId,
  Sku,
} from "@settle/domain"
import { Effect, Option } from "effect"
import { ClockControl } from "../../fakes/ControlledClock.js"
import { T0 } from "../../fixtures.js"

/** One product with stock to spare, so only coupon capacity can refuse an I3/I4 checkout. */
export const plentifulProduct = (n: number, price = 10_000): Product =>
  Product.make({
    id: ProductId.make(`prod_plenty_${n}`),
    sku: Sku.make(`PLENTY-${n}`),
    name: `Plentiful ${n}`,
    price: money(price, "EUR"),
    stock: { available: 10_000, reserved: 0, committed: 0 },
    holds: [],
    active: true,
    createdAt: T0,
    updatedAt: T0,
    version: 0,
  })

/** The checkout body a shopper posts for `quantity` of `product`, with `coupon` when given. */
export const cartFor = (
  product: Product,
  quantity: number,
  coupon: Coupon | null,
  email = "ada@example.com",
) => ({
  items: [{ sku: product.sku, quantity }],
  currency: product.price.currency,
  email,
  ...(coupon === null ? {} : { couponCode: coupon.code }),
})

/** Checkout through the use-case, keeping the outcome as a value. */
export const checkout = (input: unknown) => Effect.either(createCheckout(input))

export const current = (order: Order) =>
  Effect.flatMap(OrderRepository, (orders) => orders.findById(order.id)).pipe(
    Effect.map(Option.getOrElse(() => order)),
  )

/** Move the clock forward to `at`; never backwards, since jobs and events only see time advance. */
export const advanceTo = (at: Date) =>
  Effect.gen(function* () {
    const now = yield* (yield* Clock).now
    if (at.getTime() > now.getTime()) yield* (yield* ClockControl).advance(at.getTime() - now.getTime())
  })

export const advance = (ms: number) => Effect.flatMap(ClockControl, (clock) => clock.advance(ms))

/** What the customer and Stripe do to a session; null when the sandbox refuses, as Stripe would. */
const onSession = <E extends PaymentEvent>(
  order: Order,
  act: (control: SandboxControl, sessionId: SessionId) => Effect.Effect<E, SandboxRefused>,
) =>
  Effect.gen(function* () {
    const sessionId = order.payment.sessionId
    if (sessionId === null) return null
    return yield* Effect.orElseSucceed(act(yield* SandboxControl, sessionId), () => null)
  })

export const payEvent = (order: Order, payment?: SandboxPayment) =>
  onSession(order, (control, sessionId) => control.pay(sessionId, payment))

export const sessionExpiredEvent = (order: Order) =>
  onSession(order, (control, sessionId) => control.expire(sessionId))

export const paymentFailedEvent = (order: Order) =>
  onSession(order, (control, sessionId) => control.failAsync(sessionId))

/** Deliver an event (if Stripe would send one) `copies` times, as its at-least-once delivery may. */
export const deliver = (event: PaymentEvent | null, copies = 1) =>
  Effect.gen(function* () {
    if (event === null) return
    for (let i = 0; i < copies; i++) yield* handlePaymentEvent(event)
  })
