import { readFileSync } from "node:fs"
import { createServer, type IncomingMessage } from "node:http"
import { createRequire } from "node:module"
import type { AddressInfo } from "node:net"
import type * as Mongo from "../../packages/adapters/node_modules/mongodb/mongodb.js"
import {
  type FloorPlan,
  type FloorStats,
  Replayer,
  type WebhookJob,
  webhookJobs,
} from "../support/replayer.js"

/**
 * The Mongo bench's HTTP floor: node:http in a process of its own, each request replaying what the
 * bench process's bare-driver baseline replays (POST /checkout: the next checkout; POST /webhook: the
 * next job of the same webhook list), then a small JSON answer. No framework, validation or logging:
 * what separates it from the in-process replay is what any HTTP server in front of the store costs.
 */
const plan = JSON.parse(readFileSync(process.env.BENCH_REPLAY_PLAN ?? "", "utf8")) as FloorPlan
const fromAdapters = createRequire(new URL("../../packages/adapters/package.json", import.meta.url))
const mongo = fromAdapters("mongodb") as typeof Mongo

// Settle's pool (MongoDatabase's default maxPoolSize).
const client = new mongo.MongoClient(plan.url, { maxPoolSize: 20 })
await client.connect()
const replayer = new Replayer(client, plan.recording)
// The warm-up's fresh deliveries, then the measured list, as the in-process replay builds it.
const jobs: ReadonlyArray<WebhookJob> = [
  ...Array.from({ length: plan.warmup }, (_, i): WebhookJob => ["fresh", plan.first + i]),
  ...webhookJobs(plan.orders, plan.duplicates, plan.first + plan.warmup, plan.connections),
]
let nextCheckout = plan.first
let nextJob = 0
const served = { checkouts: 0, webhooks: 0, failures: 0, firstFailure: null as string | null }

// Any server reads the request through before it answers; what the body says is not needed here.
const drained = async (request: IncomingMessage): Promise<void> => {
  for await (const _chunk of request);
}

const handled = async (request: IncomingMessage): Promise<readonly [number, unknown]> => {
  await drained(request)
  if (request.method === "POST" && request.url === "/checkout") {
    const index = nextCheckout++
    await replayer.replay(plan.recording.checkout, index)
    served.checkouts++
    return [201, { replayed: index }]
  }
  if (request.method === "POST" && request.url === "/webhook") {
    const job = jobs[nextJob++]
    if (job === undefined) return [409, { error: "no webhook job left" }]
    await replayer.replayJob(job)
    served.webhooks++
    return [200, { received: true }]
  }
  if (request.method === "GET" && request.url === "/stats") {
    const cpu = process.cpuUsage()
    return [200, { ...replayer.stats, ...served, cpuMs: (cpu.user + cpu.system) / 1000 } satisfies FloorStats]
  }
  return [404, { error: "not found" }]
}

const server = createServer((request, response) => {
  void handled(request)
    .catch((error: unknown): readonly [number, unknown] => {
      served.failures++
      served.firstFailure ??= String(error)
      return [500, { error: String(error) }]
    })
    .then(([status, answer]) => {
      const body = JSON.stringify(answer)
      response.writeHead(status, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": Buffer.byteLength(body),
      })
      response.end(body)
    })
})
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
process.once("SIGTERM", () =>
  server.close(() =>
    client.close().then(
      () => process.exit(0),
      () => process.exit(1),
    ),
  ),
)
