import { Effect, Option } from "effect"
import {
  type DuplicateKey,
  InputRefused,
  type InvalidInput,
  ProductNotFound,
  type StoreError,
  type VersionConflict,
  type WriteConflict,
} from "../errors.js"
import { ActorField } from "../model/AdminInput.js"
import { ProductId, Sku } from "../model/Ids.js"
import type { Page, PageRequest, UnknownCursor } from "../model/Page.js"
import type { Product, ProductSummary } from "../model/Product.js"
import {
  AddStockInput,
  CreateProductInput,
  MAX_STOCK_UNITS,
  ProductRef,
  UpdateProductInput,
} from "../model/ProductInput.js"
import type { AuditLog } from "../ports/AuditLog.js"
import { Clock } from "../ports/Clock.js"
import { IdGenerator } from "../ports/IdGenerator.js"
import { ProductCatalog, type ProductChanges } from "../ports/ProductCatalog.js"
import { recordAudit } from "./audit.js"
import { decodeInput } from "./decodeInput.js"
import { readPage } from "./readPage.js"
import { updateVersioned } from "./versionedUpdate.js"

export type ProductAdminServices = ProductCatalog | AuditLog | IdGenerator | Clock

/** What the audit log keeps of a product: holds are left out, they name orders and change by the second. */
export const productSnapshot = (product: ProductSummary) => ({
  id: product.id,
  sku: product.sku,
  name: product.name,
  price: product.price,
  stock: product.stock,
  active: product.active,
  version: product.version,
})

const actorOf = (actor: string) => Effect.map(decodeInput(ActorField)({ actor }), (field) => field.actor)

const productIdOf = (id: string) => Effect.map(decodeInput(ProductRef)({ id }), (ref) => ref.id)

const load = (id: ProductId): Effect.Effect<ProductSummary, ProductNotFound | StoreError, ProductCatalog> =>
  Effect.flatMap(ProductCatalog, (catalog) => catalog.findSummary(id)).pipe(
    Effect.flatMap(Option.match({ onNone: () => new ProductNotFound({ id }), onSome: Effect.succeed })),
  )

const audit = (actor: string, action: string, before: ProductSummary | null, after: ProductSummary) =>
  recordAudit({
    actor,
    action,
    orderId: null,
    reason: null,
    before: before === null ? null : productSnapshot(before),
    after: productSnapshot(after),
  })

/** All products, by sku. */
export const listProducts = (): Effect.Effect<ReadonlyArray<Product>, StoreError, ProductCatalog> =>
  Effect.flatMap(ProductCatalog, (catalog) => catalog.list())

/**
 * One page of products by sku (`limit` 1..100, default 50); `nextCursor` goes on from its last one.
 * A bad limit or malformed cursor is InvalidInput naming the field; a well-formed cursor this
 * listing did not issue is UnknownCursor (the reference server answers 422 UNKNOWN_CURSOR). The reference server's route:
 * `Effect.flatMap(decodeInput(PageQuery)(ctx.query), listProductsPage)`, answered with
 * `pageAnswer("products", page, productView)` (PageQuery and pageAnswer: packages/server/src/http/pagination.ts).
 */
export const listProductsPage = (
  request: PageRequest,
): Effect.Effect<Page<ProductSummary>, InvalidInput | UnknownCursor | StoreError, ProductCatalog> =>
  Effect.flatMap(ProductCatalog, (catalog) =>
    readPage(
      request,
      Sku,
      (after, limit) => catalog.listPage({ after, limit }),
      (product) => product.sku,
    ),
  )

export const getProduct = (
  id: string,
): Effect.Effect<ProductSummary, InvalidInput | ProductNotFound | StoreError, ProductCatalog> =>
  Effect.flatMap(productIdOf(id), load)

/** Add a product to the catalog; a sku already in use is a DuplicateKey and nothing is written. */
export const createProduct = (
  input: unknown,
  actor: string,
): Effect.Effect<Product, InvalidInput | DuplicateKey | StoreError, ProductAdminServices> =>
  Effect.gen(function* () {
    const by = yield* actorOf(actor)
    const request = yield* decodeInput(CreateProductInput)(input)
    const now = yield* (yield* Clock).now
    const product: Product = {
      id: ProductId.make(yield* (yield* IdGenerator).next("prd")),
      sku: request.sku,
      name: request.name,
      price: request.price,
      stock: { available: request.stock, reserved: 0, committed: 0 },
      holds: [],
      active: request.active ?? true,
      createdAt: now,
      updatedAt: now,
      version: 0,
    }
    // The unique sku index decides, not a read beforehand: two admins creating one sku race otherwise.
    yield* (yield* ProductCatalog).insert(product)
    yield* audit(by, "product.create", null, product)
    return product
  })

/** The fields of `request` that differ from `current`; null when the product already is as asked. */
const changesTo = (current: ProductSummary, request: UpdateProductInput): ProductChanges | null => {
  const changes: { name?: string; price?: Product["price"]; active?: boolean } = {}
  if (request.name !== undefined && request.name !== current.name) changes.name = request.name
  const price = request.price
  if (
    price !== undefined &&
    (price.amount !== current.price.amount || price.currency !== current.price.currency)
  )
    changes.price = price
  if (request.active !== undefined && request.active !== current.active) changes.active = request.active
  return Object.keys(changes).length === 0 ? null : changes
}

export type ProductUpdateError = InvalidInput | ProductNotFound | VersionConflict | WriteConflict | StoreError

const applyUpdate = (
  id: ProductId,
  actor: string,
  action: string,
  expectedVersion: number | undefined,
  plan: (current: ProductSummary) => ProductChanges | null,
): Effect.Effect<ProductSummary, ProductUpdateError, ProductAdminServices> =>
  Effect.gen(function* () {
    const catalog = yield* ProductCatalog
    const now = yield* (yield* Clock).now
    const outcome = yield* updateVersioned({
      entity: "products",
      id,
      load: load(id),
      expectedVersion,
      plan,
      write: (version, changes) => catalog.update(id, version, changes, now),
    })
    // Asking for what already is changes nothing, so there is nothing to audit.
    if (outcome.changed) yield* audit(actor, action, outcome.before, outcome.after)
    return outcome.after
  })

/**
 * Rename, reprice, (de)activate. Orders already placed keep the price they were created with. Without
 * `expectedVersion` a race with a checkout is retried; with it, any intervening change is a VersionConflict.
 */
export const updateProduct = (
  id: string,
  input: unknown,
  actor: string,
): Effect.Effect<ProductSummary, ProductUpdateError, ProductAdminServices> =>
  Effect.gen(function* () {
    const by = yield* actorOf(actor)
    const productId = yield* productIdOf(id)
    const request = yield* decodeInput(UpdateProductInput)(input)
    return yield* applyUpdate(productId, by, "product.update", request.expectedVersion, (current) =>
      changesTo(current, request),
    )
  })

/**
 * Take a product off sale: checkouts refuse it, orders holding its stock still finalize. Products are
 * never deleted, since orders and ledger entries point at them. Archiving an archived product is a no-op.
 */
export const archiveProduct = (
  id: string,
  actor: string,
): Effect.Effect<ProductSummary, ProductUpdateError, ProductAdminServices> =>
  Effect.gen(function* () {
    const by = yield* actorOf(actor)
    const productId = yield* productIdOf(id)
    return yield* applyUpdate(productId, by, "product.archive", undefined, (current) =>
      current.active ? { active: false } : null,
    )
  })

/**
 * Receive `quantity` units into available: one atomic increment, so it never races a checkout's hold.
 * Refused (InputRefused) when the product would hold more than MAX_STOCK_UNITS in all, the bound its
 * counts are documented with; holds and restocks only move units, so only this can grow the total.
 */
export const addProductStock = (
  id: string,
  input: unknown,
  actor: string,
): Effect.Effect<
  ProductSummary,
  InvalidInput | InputRefused | ProductNotFound | StoreError,
  ProductAdminServices
> =>
  Effect.gen(function* () {
    const by = yield* actorOf(actor)
    const productId = yield* productIdOf(id)
    const request = yield* decodeInput(AddStockInput)(input)
    const before = yield* load(productId)
    const { available, reserved, committed } = before.stock
    if (available + reserved + committed + request.quantity > MAX_STOCK_UNITS) {
      return yield* new InputRefused({
        field: "quantity",
        message: `the product would hold more than ${MAX_STOCK_UNITS} units`,
      })
    }
    const now = yield* (yield* Clock).now
    const added = yield* (yield* ProductCatalog).addStock(productId, request.quantity, now)
    if (!added) return yield* new ProductNotFound({ id: productId })
    // Read back for the audit's `after`; concurrent holds may show in the difference, so the
    // received quantity is recorded as such.
    const after = yield* load(productId)
    yield* recordAudit({
      actor: by,
      action: "product.add_stock",
      orderId: null,
      reason: null,
      before: productSnapshot(before),
      after: { ...productSnapshot(after), added: request.quantity },
    })
    return after
  })
