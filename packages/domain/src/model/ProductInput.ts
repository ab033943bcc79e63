import { Schema } from "effect"
import { ExpectedVersion } from "./AdminInput.js"
import { ProductId, Sku } from "./Ids.js"
import { Money } from "./Money.js"
import { ProductName } from "./Product.js"

/** A product id in an admin request (path parameter), decoded like the body so `$gt` fails as `id`. */
export const ProductRef = Schema.Struct({ id: ProductId })

/** The most units a product holds in all (available + reserved + committed): the documented bound of each count. */
export const MAX_STOCK_UNITS = 1_000_000_000

/** New products start with `stock` units available, none reserved or committed. */
export const CreateProductInput = Schema.Struct({
  sku: Sku,
  name: ProductName,
  price: Money,
  stock: Schema.Int.pipe(
    Schema.between(0, MAX_STOCK_UNITS, {
      message: () => `stock must be an integer from 0 to ${MAX_STOCK_UNITS}`,
    }),
  ),
  active: Schema.optional(Schema.Boolean),
})
export type CreateProductInput = typeof CreateProductInput.Type

/**
 * What an admin may change on a product. Stock is absent on purpose: units move only by holds,
 * commits, releases, restocks and `addProductStock`, each an atomic increment, never a plain set.
 */
export const UpdateProductInput = Schema.Struct({
  name: Schema.optional(ProductName),
  price: Schema.optional(Money),
  active: Schema.optional(Schema.Boolean),
  expectedVersion: Schema.optional(ExpectedVersion),
})
export type UpdateProductInput = typeof UpdateProductInput.Type

/** Units received into the warehouse. */
export const AddStockInput = Schema.Struct({
  quantity: Schema.Int.pipe(
    Schema.between(1, 1_000_000, { message: () => "quantity must be an integer from 1 to 1000000" }),
  ),
})
export type AddStockInput = typeof AddStockInput.Type
