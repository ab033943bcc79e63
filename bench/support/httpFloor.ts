import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { cartOf, type Placed, type ProductView } from "../../packages/server/test/e2e/support/shop.js"
import { completed, signed } from "../../packages/server/test/e2e/support/stripeEvents.js"
import type { FloorPlan, FloorStats } from "./replayer.js"
import { startReplayHttp } from "./targets.js"
import { type Post, perRequest, type Timed, timedPosts } from "./timed.js"

/** The Mongo bench's HTTP floor: its measured checkouts and webhooks, and what its replay answered. */
export interface HttpFloor {
  readonly checkout: Timed
  readonly webhook: Timed
  readonly replay: FloorStats
  /** The floor process's CPU per measured request. */
  readonly cpuMsPerRequest: { readonly checkout: number; readonly webhook: number }
}

const JSON_HEADERS = { "content-type": "application/json" }

/**
 * The HTTP floor (bench/targets/replayHttp.ts) on the server `plan` names: warmed up as Settle was
 * (checkouts, then their fresh deliveries), then driven with Settle's checkout and webhook request
 * counts at Settle's connections, carrying the bodies Settle's requests carried (the same bytes to
 * read; the floor ignores what they say). Verified as the in-process replay is: no write error, every
 * request answered 2xx and replayed.
 */
export const measureFloor = async (
  serverName: string,
  plan: FloorPlan,
  placed: ReadonlyArray<Placed>,
  log: (line: string) => void,
  problems: Array<string>,
): Promise<HttpFloor> => {
  const name = `replay-http@${serverName}`
  const dir = mkdtempSync(join(tmpdir(), "settle-bench-floor-"))
  const file = join(dir, "plan.json")
  writeFileSync(file, JSON.stringify(plan))
  try {
    const floor = await startReplayHttp(name, file)
    try {
      log(`mongo ${serverName}: HTTP floor (node:http replaying the recorded commands), driven as Settle was`)
      const { products } = plan.recording
      const cart = (i: number): Post => ({
        headers: JSON_HEADERS,
        body: JSON.stringify(cartOf(products[i % products.length] as ProductView, 1)),
      })
      const deliveries = placed.map((order) => signed(completed(order)))
      const delivery = (i: number): Post => {
        const signedDelivery = deliveries[i % deliveries.length]
        return signedDelivery === undefined
          ? { headers: JSON_HEADERS, body: "{}" }
          : {
              headers: { ...JSON_HEADERS, "stripe-signature": signedDelivery.header },
              body: signedDelivery.payload,
            }
      }
      const statsNow = async () => (await (await fetch(`${floor.url}/stats`)).json()) as FloorStats
      const webhookRequests = plan.orders + plan.duplicates
      const warm = [
        await timedPosts(floor.url, "/checkout", plan.connections, plan.warmup, cart),
        await timedPosts(floor.url, "/webhook", plan.connections, plan.warmup, delivery),
      ]
      const beforeCheckout = await statsNow()
      const checkout = await timedPosts(floor.url, "/checkout", plan.connections, plan.orders, cart)
      const beforeWebhook = await statsNow()
      const webhook = await timedPosts(floor.url, "/webhook", plan.connections, webhookRequests, delivery)
      const stats = await statsNow()
      const runs = [...warm, checkout, webhook]
      const non2xx = runs.reduce((sum, run) => sum + run.non2xx, 0)
      const unanswered = runs.reduce((sum, run) => sum + run.unanswered, 0)
      if (non2xx + unanswered > 0)
        problems.push(
          `http floor: ${non2xx} non-2xx (first replay error: ${stats.firstFailure ?? "none"}), ${unanswered} unanswered (connection errors, timeouts)`,
        )
      if (stats.writeErrors > 0)
        problems.push(`http floor replay: ${stats.writeErrors} write errors (the replay is not faithful)`)
      if (stats.checkouts !== plan.warmup + plan.orders || stats.webhooks !== plan.warmup + webhookRequests)
        problems.push(
          `http floor replayed ${stats.checkouts} checkouts and ${stats.webhooks} webhook jobs, not ${plan.warmup + plan.orders} and ${plan.warmup + webhookRequests}`,
        )
      return {
        checkout: checkout.timed,
        webhook: webhook.timed,
        replay: stats,
        cpuMsPerRequest: {
          checkout: perRequest(beforeWebhook.cpuMs - beforeCheckout.cpuMs, checkout.timed.count),
          webhook: perRequest(stats.cpuMs - beforeWebhook.cpuMs, webhook.timed.count),
        },
      }
    } finally {
      const code = await floor.stop()
      if (code !== 0) problems.push(`${name} exited with ${code}`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
