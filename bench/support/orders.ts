import {
  cartOf,
  checkout,
  createProduct,
  type Placed,
  type ProductView,
} from "../../packages/server/test/e2e/support/shop.js"

/** Runs `work` over `items` with at most `concurrency` in flight, keeping the results in order. */
export const inPool = async <A, B>(
  items: ReadonlyArray<A>,
  concurrency: number,
  work: (item: A, index: number) => Promise<B>,
): Promise<Array<B>> => {
  const results = new Array<B>(items.length)
  let next = 0
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++)
      results[index] = await work(items[index] as A, index)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return results
}

// Orders are spread over many products: every open order holds stock on its product, and a product
// with tens of thousands of holds would make the benchmark about that list instead of the webhook.
const PRODUCTS = 64
const STOCK = 10_000_000

export interface BenchShop {
  readonly baseUrl: string
  readonly products: ReadonlyArray<ProductView>
}

/** Products with stock enough for any run, created through the admin API. */
export const openShop = async (baseUrl: string): Promise<BenchShop> => ({
  baseUrl,
  products: await inPool(Array.from({ length: PRODUCTS }), 8, () => createProduct(baseUrl, STOCK)),
})

/** `count` pending orders of one unit each, placed through the checkout API. */
export const placeOrders = (shop: BenchShop, count: number): Promise<Array<Placed>> =>
  inPool(Array.from({ length: count }), 16, (_, index) =>
    checkout(shop.baseUrl, cartOf(shop.products[index % shop.products.length] as ProductView, 1)),
  )
