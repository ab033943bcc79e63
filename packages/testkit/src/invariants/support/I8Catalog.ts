import {
  addProductStock,
  archiveProduct,
  type Coupon,
  createCoupon,
  createProduct,
  deactivateCoupon,
  type Product,
  updateCoupon,
  updateProduct,
} from "@settle/domain"
import type { Effect } from "effect"
import * as fc from "fast-check"
import type { WorldServices } from "./I678Harness.js"

/** A product or coupon of the catalog (by position, modulo its size), one that does not exist, or a bad id. */
export type CatalogTarget = number | "unknown" | "malformed"

/** A new key, the key of the seeded product or coupon (taken), or a Mongo operator in its place. */
export type KeyDraw = "NEW-A" | "NEW-B" | "taken" | "operator"

/** Whether the update pins the version it read: not at all, the current one, or one that is stale. */
export type PinDraw = "none" | "current" | "stale"

/** An expiry relative to the step's clock: `clear` removes it (updates only), `past` is bad input. */
export type ExpiryDraw = "none" | "clear" | "future" | "past"

export type CatalogOp =
  | {
      readonly _tag: "CreateProduct"
      readonly sku: KeyDraw
      readonly price: number
      readonly stock: number
      readonly actor: string
    }
  | {
      readonly _tag: "UpdateProduct"
      readonly target: CatalogTarget
      readonly name: string | null
      readonly price: number | null
      readonly active: boolean | null
      readonly pin: PinDraw
      readonly actor: string
    }
  | { readonly _tag: "ArchiveProduct"; readonly target: CatalogTarget; readonly actor: string }
  | {
      readonly _tag: "AddStock"
      readonly target: CatalogTarget
      readonly quantity: number
      readonly actor: string
    }
  | {
      readonly _tag: "CreateCoupon"
      readonly code: KeyDraw
      readonly percent: number
      readonly maxRedemptions: number
      readonly expiry: ExpiryDraw
      readonly actor: string
    }
  | {
      readonly _tag: "UpdateCoupon"
      readonly target: CatalogTarget
      readonly active: boolean | null
      readonly expiry: ExpiryDraw
      readonly pin: PinDraw
      readonly actor: string
    }
  | { readonly _tag: "DeactivateCoupon"; readonly target: CatalogTarget; readonly actor: string }

export const ACTION_OF_CATALOG: Record<CatalogOp["_tag"], string> = {
  CreateProduct: "product.create",
  UpdateProduct: "product.update",
  ArchiveProduct: "product.archive",
  AddStock: "product.add_stock",
  CreateCoupon: "coupon.create",
  UpdateCoupon: "coupon.update",
  DeactivateCoupon: "coupon.deactivate",
}

// Mostly good input; blank actors, out-of-range numbers, blank or overlong names and past expiries are bad.
const actor = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("alice@shop", " bob@shop ") },
  { weight: 1, arbitrary: fc.constantFrom("", "   ") },
)
const target: fc.Arbitrary<CatalogTarget> = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom<CatalogTarget>("unknown", "malformed") },
)
const key = fc.constantFrom<KeyDraw>("NEW-A", "NEW-B", "NEW-A", "NEW-B", "taken", "operator")
const pin = fc.constantFrom<PinDraw>("none", "none", "current", "stale")
const name = fc.constantFrom("Enamel mug", "Big mug", "  Big mug  ", "", "x".repeat(201))
const draw = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { freq: 2 })

export const catalogOp: fc.Arbitrary<CatalogOp> = fc.oneof(
  fc.record({
    _tag: fc.constant("CreateProduct" as const),
    sku: key,
    price: fc.integer({ min: -1, max: 3_000 }),
    stock: fc.integer({ min: -1, max: 50 }),
    actor,
  }),
  fc.record({
    _tag: fc.constant("UpdateProduct" as const),
    target,
    name: draw(name),
    price: draw(fc.constantFrom(1500, 900, -1)),
    active: draw(fc.boolean()),
    pin,
    actor,
  }),
  fc.record({ _tag: fc.constant("ArchiveProduct" as const), target, actor }),
  fc.record({
    _tag: fc.constant("AddStock" as const),
    target,
    quantity: fc.integer({ min: 0, max: 20 }),
    actor,
  }),
  fc.record({
    _tag: fc.constant("CreateCoupon" as const),
    code: key,
    percent: fc.integer({ min: 0, max: 101 }),
    maxRedemptions: fc.integer({ min: 0, max: 5 }),
    expiry: fc.constantFrom<ExpiryDraw>("none", "future", "past"),
    actor,
  }),
  fc.record({
    _tag: fc.constant("UpdateCoupon" as const),
    target,
    active: draw(fc.boolean()),
    expiry: fc.constantFrom<ExpiryDraw>("none", "clear", "future", "past"),
    pin,
    actor,
  }),
  fc.record({ _tag: fc.constant("DeactivateCoupon" as const), target, actor }),
)

/** The catalog as the step found it. */
export interface Catalog {
  readonly products: ReadonlyArray<Product>
  readonly coupons: ReadonlyArray<Coupon>
}

export const pick = <T>(items: ReadonlyArray<T>, t: CatalogTarget): T | undefined =>
  typeof t === "number" ? items[t % items.length] : undefined

const idOf = (items: ReadonlyArray<{ readonly id: string }>, t: CatalogTarget, unknown: string) =>
  t === "unknown" ? unknown : t === "malformed" ? "$where" : pick(items, t)!.id

const keyOf = (draw: KeyDraw, taken: string): unknown =>
  draw === "taken" ? taken : draw === "operator" ? { $gt: "" } : draw

const versionOf = (draw: PinDraw, current: number | undefined) =>
  draw === "none" ? {} : { expectedVersion: draw === "current" ? (current ?? 0) : (current ?? 0) + 7 }

const DAY = 24 * 60 * 60_000

/** The expiry as the admin client sends it. */
export const expiryOf = (draw: ExpiryDraw, now: Date) =>
  draw === "none"
    ? {}
    : draw === "clear"
      ? { expiresAt: null }
      : { expiresAt: new Date(now.getTime() + (draw === "past" ? -60_000 : 2 * DAY)).toISOString() }

/** The use-case call an admin client would make for `op`: raw, undecoded input. */
export const catalogProgram = (
  catalog: Catalog,
  op: CatalogOp,
  now: Date,
): Effect.Effect<unknown, { readonly _tag: string }, WorldServices> => {
  const { products, coupons } = catalog
  switch (op._tag) {
    case "CreateProduct":
      return createProduct(
        {
          sku: keyOf(op.sku, products[0]!.sku),
          name: "Catalog mug",
          price: { amount: op.price, currency: "EUR" },
          stock: op.stock,
        },
        op.actor,
      )
    case "UpdateProduct": {
      const input = {
        ...(op.name === null ? {} : { name: op.name }),
        ...(op.price === null ? {} : { price: { amount: op.price, currency: "EUR" } }),
        ...(op.active === null ? {} : { active: op.active }),
        ...versionOf(op.pin, pick(products, op.target)?.version),
      }
      return updateProduct(idOf(products, op.target, "prd_nobody"), input, op.actor)
    }
    case "ArchiveProduct":
      return archiveProduct(idOf(products, op.target, "prd_nobody"), op.actor)
    case "AddStock":
      return addProductStock(idOf(products, op.target, "prd_nobody"), { quantity: op.quantity }, op.actor)
    case "CreateCoupon":
      return createCoupon(
        {
          code: keyOf(op.code, coupons[0]!.code),
          discount: { _tag: "percent", percent: op.percent },
          maxRedemptions: op.maxRedemptions,
          ...expiryOf(op.expiry, now),
        },
        op.actor,
      )
    case "UpdateCoupon": {
      const input = {
        ...(op.active === null ? {} : { active: op.active }),
        ...expiryOf(op.expiry, now),
        ...versionOf(op.pin, pick(coupons, op.target)?.version),
      }
      return updateCoupon(idOf(coupons, op.target, "cpn_nobody"), input, op.actor)
    }
    case "DeactivateCoupon":
      return deactivateCoupon(idOf(coupons, op.target, "cpn_nobody"), op.actor)
  }
}
