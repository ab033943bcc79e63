import {
  Coupon,
  CouponCode,
  CouponId,
  CouponRepository,
  money,
  Product,
  ProductCatalog,
  ProductId,
  Sku,
} from "@settle/domain"
import { Effect } from "effect"

const product = (n: number, sku: string, name: string, price: number, available: number, at: Date) =>
  Product.make({
    id: ProductId.make(`prod_demo_${n}`),
    sku: Sku.make(sku),
    name,
    price: money(price, "EUR"),
    stock: { available, reserved: 0, committed: 0 },
    holds: [],
    active: true,
    createdAt: at,
    updatedAt: at,
    version: 0,
  })

/** The embedded default's shop: a few products and a coupon that runs out after two orders. */
export const seedDemoShop = (at: Date) =>
  Effect.gen(function* () {
    const catalog = yield* ProductCatalog
    yield* catalog.insert(product(1, "BEANS-1KG", "Espresso beans, 1 kg", 2400, 20, at))
    yield* catalog.insert(product(2, "GRINDER", "Burr grinder", 18900, 3, at))
    yield* catalog.insert(product(3, "MUG", "Stoneware mug", 1500, 50, at))
    yield* (yield* CouponRepository).insert(
      Coupon.make({
        id: CouponId.make("coupon_demo_welcome10"),
        code: CouponCode.make("WELCOME10"),
        discount: { _tag: "percent", percent: 10 },
        maxRedemptions: 2,
        available: 2,
        reservedCount: 0,
        redeemedCount: 0,
        holds: [],
        expiresAt: null,
        active: true,
        createdAt: at,
        updatedAt: at,
        version: 0,
      }),
    )
  })
