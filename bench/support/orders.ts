import {
  cartOf,
  createProduct,
  type Placed,
  type ProductView,
} from "../../packages/server/test/e2e/support/shop.js"
import { autocannon } from "./serverDeps.js"

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

const CHECKOUT_CONNECTIONS = 20

/**
 * `count` pending orders of one unit each, placed through the checkout API by autocannon: a client of
 * fetch calls in this process placed them four times slower, and 20 000 orders are set up per run.
 */
export const placeOrders = async (shop: BenchShop, count: number): Promise<Array<Placed>> => {
  if (count === 0) return []
  const placed: Array<Placed> = []
  const refused: Array<string> = []
  let next = 0
  await autocannon({
    url: shop.baseUrl,
    connections: Math.min(CHECKOUT_CONNECTIONS, count),
    pipelining: 1,
    amount: count,
    requests: [
      {
        method: "POST",
        path: "/api/v1/checkout",
        setupRequest: (request) => ({
          ...request,
          headers: { "content-type": "application/json" },
          body: JSON.stringify(cartOf(shop.products[next++ % shop.products.length] as ProductView, 1)),
        }),
        onResponse: (status, body) => {
          if (status === 201) placed.push(JSON.parse(body) as Placed)
          else refused.push(`${status} ${body}`)
        },
      },
    ],
  })
  if (placed.length !== count) {
    throw new Error(
      `${count - placed.length} of ${count} checkouts failed; first: ${refused[0] ?? "no answer"}`,
    )
  }
  return placed
}
