import { MAX_STOCK_UNITS } from "@settle/domain"
import { Schema } from "effect"
import { Count, IsoDateTime, MoneyJson, NextCursor } from "./common.js"

/** A product holds at most MAX_STOCK_UNITS in all, so each of its counters does too. */
const StockCount = Count.pipe(Schema.lessThanOrEqualTo(MAX_STOCK_UNITS))

/** An admin's view of a product: stock counters, not the holds behind them. */
export const ProductJson = Schema.Struct({
  id: Schema.String,
  sku: Schema.String,
  name: Schema.String,
  price: MoneyJson,
  stock: Schema.Struct({ available: StockCount, reserved: StockCount, committed: StockCount }),
  active: Schema.Boolean,
  version: Count,
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
}).annotations({ identifier: "Product" })
export type ProductJson = typeof ProductJson.Type

/** One product: created, read, updated, restocked or archived. */
export const ProductAnswer = Schema.Struct({ product: ProductJson })

/** A page of products. */
export const ProductPage = Schema.Struct({ products: Schema.Array(ProductJson), nextCursor: NextCursor })
