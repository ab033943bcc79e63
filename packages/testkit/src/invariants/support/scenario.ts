import {
  type CheckoutRequest,
  type Coupon,
  CouponRepository,
  createCheckout,
  discountOf,
  type Order,
  type Product,
  ProductCatalog,
  type SessionId,
} from "@settle/domain"
import { Effect, Layer, Logger, LogLevel, ManagedRuntime } from "effect"
import * as fc from "fast-check"
import * as arbitraries from "../../arbitraries.js"
import { withInterleaving } from "../../faults/Interleaving.js"
import type { PortRewrite } from "../../faults/PortCalls.js"
import { type fakes, racingPorts, type StoragePorts, world } from "../../world.js"

/** Everything `world(storage)` provides: the storage ports plus the fakes and their test controls. */
export type WorldServices = StoragePorts | Layer.Layer.Success<ReturnType<typeof fakes>>

/**
 * `world(storage)` with the use-cases' own logs silenced: a property provokes the warnings and errors
 * they log (amount mismatches, injected crashes) by the thousand; assertions say what went wrong.
 */
export const quietWorld = <E>(storage: Layer.Layer<StoragePorts, E>) =>
  Layer.merge(world(storage), Logger.minimumLogLevel(LogLevel.None))

/**
 * A catalog, a valid cart over it and maybe a coupon, drawn so that checkout succeeds: each product
 * keeps its drawn 0-20 units as spare stock on top of what the cart takes, and the coupon always
 * leaves something to pay (createCheckout refuses a free order).
 */
export interface Shop {
  readonly products: ReadonlyArray<Product>
  readonly coupon: Coupon | null
  readonly cart: CheckoutRequest
}

/** Units of `product` the shop's cart asks for (0 when it is not in the cart). */
export const cartQuantity = (shop: Shop, product: Product): number =>
  shop.cart.items.find((line) => line.sku === product.sku)?.quantity ?? 0

const leavesSomethingToPay = (shop: Shop): boolean => {
  if (shop.coupon === null) return true
  const subtotal = shop.cart.items.reduce((sum, line) => {
    const product = shop.products.find((p) => p.sku === line.sku)
    return sum + (product?.price.amount ?? 0) * line.quantity
  }, 0)
  return subtotal - discountOf(shop.coupon.discount, subtotal) > 0
}

const stockFor = (products: ReadonlyArray<Product>, cart: CheckoutRequest): ReadonlyArray<Product> =>
  products.map((product) => {
    const wanted = cart.items.find((line) => line.sku === product.sku)?.quantity ?? 0
    return { ...product, stock: { ...product.stock, available: product.stock.available + wanted } }
  })

/** `coupon`: "maybe" (default) draws one half of the time. */
export const shop = (
  options: { readonly coupon?: "never" | "maybe" | "always" } = {},
): fc.Arbitrary<Shop> => {
  const coupon = arbitraries.coupon()
  const drawn: fc.Arbitrary<Coupon | null> =
    options.coupon === "never"
      ? fc.constant(null)
      : options.coupon === "always"
        ? coupon
        : fc.option(coupon, { nil: null })
  return fc
    .tuple(arbitraries.catalog(), drawn)
    .chain(([products, coupon]) =>
      arbitraries
        .validCart(products, coupon?.code)
        .map((cart): Shop => ({ products: stockFor(products, cart), coupon, cart })),
    )
    .filter(leavesSomethingToPay)
}

/** Put the shop's products and coupon in the store. */
export const stockShop = (shop: Shop) =>
  Effect.gen(function* () {
    const catalog = yield* ProductCatalog
    for (const product of shop.products) yield* catalog.insert(product)
    if (shop.coupon !== null) yield* (yield* CouponRepository).insert(shop.coupon)
  })

export interface OpenCheckout {
  readonly order: Order
  readonly sessionId: SessionId
}

/** Stock the shop and check its cart out: a pending order holding stock and coupon, session open. */
export const openCheckout = (shop: Shop) =>
  Effect.gen(function* () {
    yield* stockShop(shop)
    const { order } = yield* createCheckout(shop.cart)
    if (order.payment.sessionId === null) return yield* Effect.dieMessage("checkout opened no session")
    return { order, sessionId: order.payment.sessionId } satisfies OpenCheckout
  })

/**
 * Run `use` against one fresh build of `layer` (one empty database per property run) and dispose of it
 * afterwards, whatever `use` did.
 */
export const usingRuntime = async <R, E, A>(
  layer: Layer.Layer<R, E>,
  use: (runtime: ManagedRuntime.ManagedRuntime<R, E>) => Promise<A>,
): Promise<A> => {
  const runtime = ManagedRuntime.make(layer)
  try {
    return await use(runtime)
  } finally {
    await runtime.dispose()
  }
}

/**
 * The services `runtime` already built (same stores, same clock), with `ports` yielding to `scheduler`
 * before each call: set a scene up on `runtime`, race on the result, assert on `runtime` again.
 */
export const racing = async <R, E>(
  runtime: ManagedRuntime.ManagedRuntime<R, E>,
  scheduler: fc.Scheduler,
  ports: ReadonlyArray<PortRewrite<NoInfer<R>, fc.Scheduler>>,
): Promise<ManagedRuntime.ManagedRuntime<R, never>> => {
  const built = await runtime.runtime()
  return ManagedRuntime.make(withInterleaving(Layer.succeedContext(built.context), scheduler, ports))
}

/** `racing` over the world's `racingPorts`. */
export const racingWorld = <E>(
  runtime: ManagedRuntime.ManagedRuntime<WorldServices, E>,
  scheduler: fc.Scheduler,
) => racing(runtime, scheduler, racingPorts)
