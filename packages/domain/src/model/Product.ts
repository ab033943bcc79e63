import { Schema } from "effect"
import { Hold } from "./Hold.js"
import { ProductId, Sku } from "./Ids.js"
import { Money } from "./Money.js"

const Count = Schema.Int.pipe(Schema.nonNegative())

/** available + reserved + committed is conserved by every stock operation except an explicit restock. */
export const Stock = Schema.Struct({ available: Count, reserved: Count, committed: Count })
export type Stock = typeof Stock.Type

export const ProductName = Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(200))

export const Product = Schema.Struct({
  id: ProductId,
  sku: Sku,
  name: ProductName,
  price: Money,
  stock: Stock,
  holds: Schema.Array(Hold),
  active: Schema.Boolean,
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.DateFromSelf,
  version: Count,
})
export type Product = typeof Product.Type

/**
 * A product without its holds: what the checkout reads. Holds grow with the open checkouts of a hot
 * product, and a checkout that paid for reading them would slow down with each one (issue 13).
 */
export const ProductListing = Product.omit("holds")
export type ProductListing = typeof ProductListing.Type
