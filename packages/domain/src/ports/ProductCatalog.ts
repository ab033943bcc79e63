import { Context, type Effect, type Option } from "effect"
import type { DuplicateKey, StoreError } from "../errors.js"
import type { CommitOutcome, HoldOutcome, ReleaseOutcome } from "../model/Hold.js"
import type { OrderId, ProductId, Sku } from "../model/Ids.js"
import type { Money } from "../model/Money.js"
import type { Product, ProductListing, ProductSummary } from "../model/Product.js"

export interface ProductChanges {
  readonly name?: string
  readonly price?: Money
  readonly active?: boolean
}

/** A page of products in sku order (sku is unique and never changes, so the order is stable). */
export interface ProductPageQuery {
  /** Only products whose sku sorts after this one: the last sku of the page before. */
  readonly after?: Sku | undefined
  readonly limit: number
}

/** Products and their stock. Every stock move is one conditional write on the product document. */
export interface ProductCatalog {
  /** Insert a product; DuplicateKey when the id or sku exists. */
  readonly insert: (product: Product) => Effect.Effect<void, DuplicateKey | StoreError>
  /** Look a product up by id. */
  readonly findById: (id: ProductId) => Effect.Effect<Option.Option<Product>, StoreError>
  /** Look a product up by id, without its holds: the admin's read, whatever the open checkouts. */
  readonly findSummary: (id: ProductId) => Effect.Effect<Option.Option<ProductSummary>, StoreError>
  /**
   * Look products up by sku, without their holds and stock; unknown skus are simply absent from the
   * result. The checkout's read: it must not pay for the open holds of a hot product nor for the
   * documents its stock is spread over (issue 13); `hold` decides the stock.
   */
  readonly findBySkus: (skus: ReadonlyArray<Sku>) => Effect.Effect<ReadonlyArray<ProductListing>, StoreError>
  /** All products, by sku. */
  readonly list: () => Effect.Effect<ReadonlyArray<Product>, StoreError>
  /**
   * Up to `limit` products by sku, past `after`, without their holds; read by the sku index, never the
   * whole catalog.
   */
  readonly listPage: (query: ProductPageQuery) => Effect.Effect<ReadonlyArray<ProductSummary>, StoreError>
  /** Change name/price/active if the version still matches; answers the product written, without its holds. */
  readonly update: (
    id: ProductId,
    expectedVersion: number,
    changes: ProductChanges,
    at: Date,
  ) => Effect.Effect<Option.Option<ProductSummary>, StoreError>
  /** Reserve `quantity` units for `key` if available ≥ quantity and `key` holds nothing yet. */
  readonly hold: (
    id: ProductId,
    key: string,
    orderId: OrderId,
    quantity: number,
    at: Date,
  ) => Effect.Effect<HoldOutcome, StoreError>
  /**
   * Move the units held by `key` from reserved to committed, once. `quantity` is what the caller held
   * under `key` (the order line's); a hold of `key` for another quantity is not the caller's: not_held.
   * Knowing it lets a store move the units in one conditional write, without reading the hold first.
   */
  readonly commitHold: (
    id: ProductId,
    key: string,
    at: Date,
    quantity: number,
  ) => Effect.Effect<CommitOutcome, StoreError>
  /** Return the units held by `key` to available, once. */
  readonly releaseHold: (id: ProductId, key: string, at: Date) => Effect.Effect<ReleaseOutcome, StoreError>
  /** Move committed units back to available (a refund's restock) if at least `quantity` are committed. */
  readonly restock: (id: ProductId, quantity: number, at: Date) => Effect.Effect<boolean, StoreError>
  /** Add units to available (receiving stock). */
  readonly addStock: (id: ProductId, quantity: number, at: Date) => Effect.Effect<boolean, StoreError>
}

export const ProductCatalog = Context.GenericTag<ProductCatalog>("@settle/domain/ProductCatalog")
