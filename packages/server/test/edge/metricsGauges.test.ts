import { CouponReservationRepository, OrderRepository } from "@settle/domain"
import { Context, Deferred, Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { throttledCollection } from "../../src/bootstrap/throttledCollection.js"
import { adminToken, call, startTestServer } from "../support/server.js"

/** Counts the store's order-health reads and, while `hang` is set, makes them wait forever. */
const countingStore = () => {
  const state = { health: 0, leaked: 0, hang: false }
  /** One more call of `port`, then the call itself or, while `hang` is set, a wait without end. */
  const gate = <A, E>(port: "health" | "leaked", effect: Effect.Effect<A, E>) =>
    Effect.suspend(() => {
      state[port]++
      return state.hang ? Effect.never : effect
    })
  const overrideLayer = <E>(layer: Layer.Layer<never, E>) =>
    Layer.flatMap(layer, (context) => {
      const c = context as Context.Context<OrderRepository | CouponReservationRepository>
      const orders = Context.get(c, OrderRepository)
      const reservations = Context.get(c, CouponReservationRepository)
      return Layer.succeedContext(
        Context.add(
          Context.add(c, OrderRepository, {
            ...orders,
            health: () => gate("health", orders.health()),
          }),
          CouponReservationRepository,
          {
            ...reservations,
            countLeaked: (now: Date) => gate("leaked", reservations.countLeaked(now)),
          },
        ),
      )
    })
  return { state, overrideLayer }
}

const sample = (text: string, series: string) => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe("/metrics order-health gauges", () => {
  it("40 parallel scrapes cost one round of store counts, and an admin read is not queued behind them", async () => {
    const store = countingStore()
    const server = await startTestServer({
      gauges: { everyMs: 60_000, timeoutMs: 2_000 },
      overrideLayer: store.overrideLayer as never,
    })
    const scrapes = await Promise.all(Array.from({ length: 40 }, () => call(`${server.url}/metrics`)))
    expect(scrapes.every((scrape) => scrape.status === 200)).toBe(true)
    // Three gauges, two queries on the order side and one on coupons, read once for all 40 scrapes.
    expect([store.state.health, store.state.leaked]).toEqual([1, 1])
    for (const scrape of scrapes) {
      expect(sample(String(scrape.body), "paid_unconfirmed_orders")).toBe(0)
      expect(sample(String(scrape.body), "order_health_gauges_stale")).toBe(0)
    }
    const admin = await call(`${server.url}/api/v1/admin/health/orders`, {
      headers: { Authorization: `Bearer ${await adminToken()}` },
    })
    expect(admin.status).toBe(200)
    // The admin read asks the store itself, once: the scrapes left nothing queued in front of it.
    expect(store.state.health).toBe(2)
  })

  it("answers a scrape within the bound while the store hangs, with the last counts marked stale", async () => {
    const store = countingStore()
    const server = await startTestServer({
      gauges: { everyMs: 1, timeoutMs: 300 },
      overrideLayer: store.overrideLayer as never,
    })
    const fresh = String((await call(`${server.url}/metrics`)).body)
    expect(sample(fresh, "leaked_coupon_reservations")).toBe(0)
    store.state.hang = true
    const started = Date.now()
    const hung = await call(`${server.url}/metrics`)
    const tookMs = Date.now() - started
    expect(hung.status).toBe(200)
    const text = String(hung.body)
    expect(sample(text, "leaked_coupon_reservations")).toBe(0)
    expect(sample(text, "order_health_gauges_stale")).toBe(1)
    expect(tookMs).toBeLessThan(5_000)
    const next = String((await call(`${server.url}/metrics`)).body)
    expect(next).toMatch(/gauge_collect_failures_total\{gauge="paid_unconfirmed_orders"\} [1-9]/)
  })
})

describe("METRICS_TOKEN", () => {
  it("reaches the server: /metrics asks for the bearer token once it is set", async () => {
    const token = "0123456789abcdef0123456789abcdef"
    const server = await startTestServer({ metricsToken: token })
    expect((await call(`${server.url}/metrics`)).status).toBe(401)
    const scraped = await call(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${token}` } })
    expect(scraped.status).toBe(200)
    expect(String(scraped.body)).toContain("paid_unconfirmed_orders")
  })
})

describe("throttledCollection", () => {
  it("shares one read among concurrent callers and reads again only after everyMs", async () => {
    let clock = 0
    let reads = 0
    const release = Effect.runSync(Deferred.make<number>())
    const read = () => {
      reads++
      return Effect.runPromise(Deferred.await(release))
    }
    const collection = throttledCollection(read, {
      everyMs: 1_000,
      timeoutMs: 10_000,
      now: () => clock,
    })
    const waiting = Array.from({ length: 10 }, () => collection.current())
    Effect.runSync(Deferred.succeed(release, 7))
    expect((await Promise.all(waiting)).map((s) => s.value)).toEqual(Array(10).fill(7))
    clock = 999
    await collection.current()
    expect(reads).toBe(1)
    clock = 1_000
    await collection.current()
    expect(reads).toBe(2)
  })

  it("serves the last value, marked stale, when a read fails or outlasts the timeout", async () => {
    let clock = 0
    let next: () => Promise<number> = async () => 5
    const collection = throttledCollection(() => next(), { everyMs: 1, timeoutMs: 50, now: () => clock })
    expect(await collection.current()).toEqual({ value: 5, stale: false })
    clock = 10
    next = () => Promise.reject(new Error("store down"))
    expect(await collection.current()).toEqual({ value: 5, stale: true })
    clock = 20
    next = () => new Promise<number>(() => undefined)
    expect(await collection.current()).toEqual({ value: 5, stale: true })
  })
})
