import {
  type CommitOutcome,
  DuplicateKey,
  type HoldOutcome,
  type Product,
  ProductCatalog,
  type ReleaseOutcome,
} from "@settle/domain"
import { Effect, Layer, Option } from "effect"
import { byText, copy, makeCollection } from "./Collection.js"

type Stock = Product["stock"]

export const make: Effect.Effect<ProductCatalog> = Effect.sync(() => {
  const products = makeCollection<Product, "sku">({
    indexes: { sku: (p) => p.sku },
    order: byText((p) => p.sku),
  })

  // Answers what it wrote, which the store keeps a copy of: copy it again before handing it out.
  const save = (product: Product, at: Date): Product => {
    const next: Product = { ...product, version: product.version + 1, updatedAt: at }
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
      const hold = product?.holds.find((h) => h.key === key)
      if (product === undefined || hold === undefined) return false
      if (quantity !== undefined && hold.quantity !== quantity) return false
      save(
        {
          ...product,
          stock: move(product.stock, hold.quantity),
          holds: product.holds.filter((h) => h.key !== key),
        },
        at,
      )
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
        products.put(product.id, product)
        return Effect.void
      }),

    findById: (id) => Effect.sync(() => products.find(id)),

    findBySkus: (skus) =>
      Effect.sync(() =>
        products.select(
          "sku",
          skus,
          undefined,
          byText((p) => p.sku),
        ),
      ),

    list: () => Effect.sync(() => products.walk()),

    // The collection keeps sku order, so a page is a binary search to its start and `limit` reads.
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
        if (product.holds.some((h) => h.key === key)) return "already_held"
        if (product.stock.available < quantity) return "insufficient"
        const { available, reserved, committed } = product.stock
        save(
          {
            ...product,
            stock: { available: available - quantity, reserved: reserved + quantity, committed },
            holds: [...product.holds, { key, orderId, quantity, at }],
          },
          at,
        )
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
