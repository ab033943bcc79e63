import type { Placed } from "../../packages/server/test/e2e/support/shop.js"
import { completed, signed } from "../../packages/server/test/e2e/support/stripeEvents.js"
import { baseline } from "./ingestVerification.js"
import { fire } from "./load.js"
import type { BenchShop } from "./orders.js"

/**
 * Warms a server up without storing orders: `requests` new checkout.session.completed events (fresh
 * event ids, as a replay or a second Stripe endpoint would send) for orders it has already confirmed.
 * Each runs the webhook path up to finalization, which finds the order finalized and changes nothing:
 * no unit may be committed twice. Answers the problems found, if any.
 */
export const replayConfirmed = async (
  shop: BenchShop,
  confirmed: ReadonlyArray<Placed>,
  requests: number,
  connections: number,
): Promise<ReadonlyArray<string>> => {
  const deliveries = Array.from({ length: requests }, (_, i) =>
    signed(completed(confirmed[i % confirmed.length] as Placed)),
  )
  const before = await baseline(shop)
  let next = 0
  const figures = await fire({
    url: shop.baseUrl,
    connections,
    pipelining: 1,
    amount: requests,
    requests: [
      {
        method: "POST",
        path: "/api/v1/webhooks/stripe",
        setupRequest: (request) => {
          const delivery = deliveries[next++ % deliveries.length]
          return {
            ...request,
            headers: { "content-type": "application/json", "stripe-signature": delivery?.header ?? "" },
            body: delivery?.payload ?? "",
          }
        },
      },
    ],
  })
  const after = await baseline(shop)
  const failed = figures.non2xx + figures.errors
  const committed = after.committedUnits - before.committedUnits
  const counted = (status: "retry" | "error") => after.counters[status] - before.counters[status]
  return [
    ...(failed === 0 ? [] : [`replays: ${failed} non-2xx answers or connection errors`]),
    ...(committed === 0 ? [] : [`replays: ${committed} units committed again`]),
    ...(["retry", "error"] as const).flatMap((status) =>
      counted(status) === 0 ? [] : [`replays: ${status} moved by ${counted(status)}`],
    ),
  ]
}
