import {
  type CommitOutcome,
  DuplicateKey,
  type HoldOutcome,
  type Product,
  ProductCatalog,
  ProductListing,
  type ReleaseOutcome,
} from "@settle/domain"
import { Effect, Layer, Option } from "effect"
import { byText, copy, makeCollection } from "./Collection.js"
import { fieldsOf } from "./fieldsOf.js"
import { makeHoldBook } from "./HoldBook.js"

type Stock = Product["stock"]
/** What the collection keeps: the product without its holds, which the book keeps beside it. */
type Stored = Omit<Product, "holds">

/** The checkout's read of a stored copy: the listing fields only, none that a stock move changes. */
const listingOf: (product: Stored) => ProductListing = fieldsOf(ProductListing)

export const make: Effect.Effect<ProductCatalog> = Effect.sync(() => {
  // The products without their holds, which the book keeps beside them (HoldBook says why).
  const products = makeCollection<Stored, "sku">({
    indexes: { sku: (p) => p.sku },
    order: byText((p) => p.sku),
  })
  const holds = makeHoldBook()

  /** The whole product, for the reads that show holds: a stored copy and its holds. */
  const withHolds = (stored: Stored): Product => ({ ...stored, holds: holds.list(stored.id) })

  // Answers what it wrote, which the store keeps a copy of: copy it again before handing it out.
  const save = (product: Stored, at: Date): Stored => {
    const next: Stored = { ...product, version: product.version + 1, updatedAt: at }
    products.put(product.id, next)
    return next
  }

  /**
   * Remove the hold of `key` and move its units with `move`, in one step; false when `key` holds
   * nothing, or holds another quantity than `quantity` says (then the hold is not the caller's).
   */
  const settle = (
    id: string,
    key: string,
    at: Date,
    move: (stock: Stock, quantity: number) => Stock,
    quantity?: number,
  ) =>
    Effect.sync((): boolean => {
      const product = products.peek(id)
      const hold = holds.peek(id, key)
      if (product === undefined || hold === undefined) return false
      if (quantity !== undefined && hold.quantity !== quantity) return false
      save({ ...product, stock: move(product.stock, hold.quantity) }, at)
      holds.remove(id, key)
      return true
    })

  const service: ProductCatalog = {
    insert: (product) =>
      Effect.suspend(() => {
        if (products.peek(product.id) !== undefined) {
          return Effect.fail(new DuplicateKey({ entity: "products", key: `id=${product.id}` }))
        }
        if (products.some("sku", product.sku)) {
          return Effect.fail(new DuplicateKey({ entity: "products", key: `sku=${product.sku}` }))
        }
        const { holds: held, ...stored } = product
        products.put(product.id, stored)
        for (const hold of held) holds.add(product.id, hold)
        return Effect.void
      }),

    findById: (id) => Effect.sync(() => Option.map(products.find(id), withHolds)),

    // The stored copy is the summary: the holds are kept beside it.
    findSummary: (id) => Effect.sync(() => products.find(id)),

    findBySkus: (skus) =>
      Effect.sync(() =>
        products
          .select(
            "sku",
            skus,
            undefined,
            byText((p) => p.sku),
          )
          .map(listingOf),
      ),

    list: () => Effect.sync(() => products.walk().map(withHolds)),

    // The collection keeps sku order, so a page is a binary search to its start and `limit` reads;
    // its stored copies are the summaries, the holds kept beside them.
    listPage: ({ after, limit }) =>
      Effect.sync(() =>
        products.walk(undefined, limit, after === undefined ? undefined : { from: (p) => p.sku > after }),
      ),

    update: (id, expectedVersion, changes, at) =>
      Effect.sync(() => {
        const product = products.peek(id)
        if (product === undefined || product.version !== expectedVersion) return Option.none()
        return Option.some(
          copy(
            save(
              {
                ...product,
                name: changes.name ?? product.name,
                price: changes.price ?? product.price,
                active: changes.active ?? product.active,
              },
              at,
            ),
          ),
        )
      }),

    hold: (id, key, orderId, quantity, at) =>
      Effect.sync((): HoldOutcome => {
        const product = products.peek(id)
        if (product === undefined) return "not_found"
        if (holds.peek(id, key) !== undefined) return "already_held"
        if (product.stock.available < quantity) return "insufficient"
        const { available, reserved, committed } = product.stock
        save(
          {
            ...product,
            stock: { available: available - quantity, reserved: reserved + quantity, committed },
          },
          at,
        )
        holds.add(id, { key, orderId, quantity, at })
        return "held"
      }),

    commitHold: (id, key, at, quantity) =>
      Effect.map(
        settle(
          id,
          key,
          at,
          (s, q) => ({ available: s.available, reserved: s.reserved - q, committed: s.committed + q }),
          quantity,
        ),
        (moved): CommitOutcome => (moved ? "committed" : "not_held"),
      ),

    releaseHold: (id, key, at) =>
      Effect.map(
        settle(id, key, at, (s, q) => ({
          available: s.available + q,
          reserved: s.reserved - q,
          committed: s.committed,
        })),
        (moved): ReleaseOutcome => (moved ? "released" : "not_held"),
      ),

    restock: (id, quantity, at) =>
      Effect.sync(() => {
        const product = products.peek(id)
        if (product === undefined || product.stock.committed < quantity) return false
        const { available, reserved, committed } = product.stock
        save(
          {
            ...product,
            stock: { available: available + quantity, reserved, committed: committed - quantity },
          },
          at,
        )
        return true
      }),

    addStock: (id, quantity, at) =>
      Effect.sync(() => {
        const product = products.peek(id)
        if (product === undefined) return false
        save({ ...product, stock: { ...product.stock, available: product.stock.available + quantity } }, at)
        return true
      }),
  }
  return service
})

export const layer: Layer.Layer<ProductCatalog> = Layer.effect(ProductCatalog, make)
