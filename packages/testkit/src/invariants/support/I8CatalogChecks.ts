import { CouponRepository, type OrderId, ProductCatalog } from "@settle/domain"
import { Effect, Either } from "effect"
import { expect } from "vitest"
import { summaryOf } from "../../fixtures.js"
import {
  ACTION_OF_CATALOG,
  type Catalog,
  type CatalogOp,
  type CatalogTarget,
  expiryOf,
  pick,
} from "./I8Catalog.js"
import { type AdminSnapshot, adminSnapshot } from "./I678AdminChecks.js"

export interface CatalogSnapshot {
  readonly admin: AdminSnapshot
  readonly catalog: Catalog
}

export const catalogSnapshot = (ids: ReadonlyArray<OrderId>) =>
  Effect.gen(function* () {
    const admin = yield* adminSnapshot(ids)
    const products = yield* (yield* ProductCatalog).list()
    const coupons = yield* (yield* CouponRepository).list()
    return { admin, catalog: { products, coupons } } satisfies CatalogSnapshot
  })

type Entity = "products" | "coupons"

/** What the op must do to the catalog as it was: change one entity (null: a new one), nothing, or fail. */
export type Expected =
  | { readonly _tag: "Changed"; readonly entity: Entity; readonly id: string | null }
  | { readonly _tag: "Unchanged"; readonly entity: Entity; readonly id: string }
  | { readonly _tag: "Failed"; readonly error: string }

const failed = (error: string): Expected => ({ _tag: "Failed", error })

/** The entity `target` names, or why the op fails before it gets there (bad input wins: it is decoded first). */
const resolve = <T extends { readonly id: string; readonly version: number }>(
  items: ReadonlyArray<T>,
  target: CatalogTarget,
  badInput: boolean,
  notFound: string,
): Either.Either<T, Expected> => {
  if (badInput || target === "malformed") return Either.left(failed("InvalidInput"))
  const found = pick(items, target)
  return found === undefined ? Either.left(failed(notFound)) : Either.right(found)
}

const outcome = (entity: Entity, id: string, changed: boolean): Expected =>
  changed ? { _tag: "Changed", entity, id } : { _tag: "Unchanged", entity, id }

const badName = (name: string | null) => name !== null && (name.trim() === "" || name.trim().length > 200)

/** The model of the catalog use-cases: what `op` does to `catalog` at `now`. */
export const expectedOf = (catalog: Catalog, op: CatalogOp, now: Date): Expected => {
  const noActor = op.actor.trim() === ""
  const { products, coupons } = catalog
  switch (op._tag) {
    case "CreateProduct": {
      if (noActor || op.sku === "operator" || op.price < 0 || op.stock < 0) return failed("InvalidInput")
      const taken = op.sku === "taken" || products.some((p) => p.sku === op.sku)
      return taken ? failed("DuplicateKey") : { _tag: "Changed", entity: "products", id: null }
    }
    case "CreateCoupon": {
      const bad = op.percent < 1 || op.percent > 100 || op.maxRedemptions < 1
      if (noActor || op.code === "operator" || bad) return failed("InvalidInput")
      // Well-formed but refused by the clock, after decoding and before the code is looked at.
      if (op.expiry === "past") return failed("InputRefused")
      const taken = op.code === "taken" || coupons.some((c) => c.code === op.code)
      return taken ? failed("DuplicateKey") : { _tag: "Changed", entity: "coupons", id: null }
    }
    case "UpdateProduct": {
      const bad = noActor || badName(op.name) || op.price === -1
      const found = resolve(products, op.target, bad, "ProductNotFound")
      if (Either.isLeft(found)) return found.left
      const current = found.right
      if (op.pin === "stale") return failed("VersionConflict")
      const changed =
        (op.name !== null && op.name.trim() !== current.name) ||
        (op.price !== null && (op.price !== current.price.amount || current.price.currency !== "EUR")) ||
        (op.active !== null && op.active !== current.active)
      return outcome("products", current.id, changed)
    }
    case "ArchiveProduct":
    case "AddStock": {
      const bad = noActor || (op._tag === "AddStock" && op.quantity < 1)
      const found = resolve(products, op.target, bad, "ProductNotFound")
      if (Either.isLeft(found)) return found.left
      return outcome("products", found.right.id, op._tag === "AddStock" || found.right.active)
    }
    case "UpdateCoupon": {
      // A past expiry is refused after the id and body decode, before the coupon is read.
      if (!noActor && op.target !== "malformed" && op.expiry === "past") return failed("InputRefused")
      const found = resolve(coupons, op.target, noActor, "CouponNotFound")
      if (Either.isLeft(found)) return found.left
      const current = found.right
      if (op.pin === "stale") return failed("VersionConflict")
      const asked = expiryOf(op.expiry, now)
      const expiry =
        "expiresAt" in asked ? (asked.expiresAt === null ? null : new Date(asked.expiresAt)) : undefined
      const changed =
        (op.active !== null && op.active !== current.active) ||
        (expiry !== undefined && expiry?.getTime() !== current.expiresAt?.getTime())
      return outcome("coupons", current.id, changed)
    }
    case "DeactivateCoupon": {
      const found = resolve(coupons, op.target, noActor, "CouponNotFound")
      if (Either.isLeft(found)) return found.left
      return outcome("coupons", found.right.id, found.right.active)
    }
  }
}

const without = <T extends { readonly id: string }>(items: ReadonlyArray<T>, id: string | null) =>
  items.filter((item) => item.id !== id)

/**
 * I8 for one catalog action: it does what the model says; a change appends exactly one audit record
 * (actor, action, no order, before/after) and touches only its own product or coupon; a no-op and a
 * failure append none and change nothing; no order is ever touched.
 */
export const checkCatalogStep = (
  op: CatalogOp,
  expected: Expected,
  before: CatalogSnapshot,
  after: CatalogSnapshot,
  result: Either.Either<unknown, { readonly _tag: string }>,
  now: Date,
): void => {
  const known = new Set(before.admin.audit.map((record) => record.id))
  const fresh = after.admin.audit.filter((record) => !known.has(record.id))
  const why = `${op._tag} expected ${expected._tag}`
  expect(after.admin.audit.length - before.admin.audit.length, "the audit log only grows").toBe(fresh.length)
  expect(after.admin.orders, `${why}: orders are untouched`).toStrictEqual(before.admin.orders)
  if (expected._tag === "Failed") {
    expect(Either.isLeft(result) ? result.left._tag : "success", why).toBe(expected.error)
    expect(fresh, why).toEqual([])
    expect(after.catalog, why).toStrictEqual(before.catalog)
    return
  }
  if (Either.isLeft(result)) throw new Error(`${why}, failed with ${result.left._tag}`)
  const value = result.right as { readonly id: string }
  const id = expected.id ?? value.id
  const items = (snapshot: CatalogSnapshot) =>
    snapshot.catalog[expected.entity] as ReadonlyArray<{ id: string }>
  const stored = items(after).find((item) => item.id === id)
  // A creation answers the whole entity; the other admin answers leave the holds out (summaryOf).
  expect(
    "holds" in value ? stored : stored && summaryOf(stored),
    `${why}: the result is what is stored`,
  ).toEqual(value)
  if (expected._tag === "Unchanged") {
    expect(fresh, why).toEqual([])
    expect(after.catalog, why).toStrictEqual(before.catalog)
    return
  }
  expect(without(items(after), id), `${why}: only ${id} changed`).toStrictEqual(without(items(before), id))
  expect(fresh, why).toHaveLength(1)
  expect(fresh[0], why).toMatchObject({
    actor: op.actor.trim(),
    action: ACTION_OF_CATALOG[op._tag],
    orderId: null,
    reason: null,
    at: now,
    after: { id },
  })
}
