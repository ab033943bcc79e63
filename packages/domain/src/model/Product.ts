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
 * A product without its holds and stock: what the checkout reads. Capacity lives in the counters and
 * holds, and the hold decides it atomically; a checkout that read them would pay for each open hold of a
 * hot product, and on Mongo for each place its stock is spread over (issue 13). `version` and
 * `updatedAt` go too: every stock move bumps them, so they are counters as well (on Mongo, summed over
 * its places).
 */
export const ProductListing = Product.omit("holds", "stock", "version", "updatedAt")
export type ProductListing = typeof ProductListing.Type

/**
 * A product as the admin API shows it: its stock counters without the holds behind them, one per open
 * checkout (tens of thousands on a hot product), so reading it costs the same however many are open.
 */
export const ProductSummary = Product.omit("holds")
export type ProductSummary = typeof ProductSummary.Type
