import { OrderRepository } from "@settle/domain"
import { Context, Duration, Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { NotReady } from "../src/http/rejections.js"
import { storeReachability } from "../src/http/routes/health.js"
import { call, errorOf, startFailingStoreServer, startTestServer } from "./support/server.js"

describe("probes", () => {
  it("GET /healthz answers 200 while the process is up", async () => {
    const server = await startTestServer()
    const answer = await call(`${server.url}/healthz`)
    expect([answer.status, answer.body]).toEqual([200, { status: "ok" }])
  })

  it("GET /readyz answers 200 when the store answers", async () => {
    const server = await startTestServer()
    const answer = await call(`${server.url}/readyz`)
    expect([answer.status, answer.body]).toEqual([200, { status: "ready", store: "ok" }])
  })

  it("GET /readyz answers 503 NOT_READY when the store fails, and /healthz stays 200", async () => {
    const { server, failAt } = await startFailingStoreServer()
    failAt(1)
    const down = await call(`${server.url}/readyz`)
    expect(down.status).toBe(503)
    expect(errorOf(down)).toMatchObject({ code: "NOT_READY", message: "the store is unavailable" })
    expect((await call(`${server.url}/healthz`)).status).toBe(200)
    expect((await call(`${server.url}/readyz`)).status).toBe(200)
  })

  it("GET /readyz stays 200 while a store that answered recently is slow under load", async () => {
    let delayMs = 0
    const server = await startTestServer({
      overrideLayer: (layer) =>
        Layer.map(layer, (context) => {
          const orders = Context.get(context, OrderRepository)
          const findById: typeof orders.findById = (id) =>
            Effect.suspend(() => Effect.delay(orders.findById(id), Duration.millis(delayMs)))
          return Context.add(context, OrderRepository, { ...orders, findById })
        }),
    })
    expect((await call(`${server.url}/readyz`)).status).toBe(200)
    delayMs = 3_000
    const busy = await call(`${server.url}/readyz`)
    expect([busy.status, busy.body]).toEqual([200, { status: "ready", store: "slow" }])
  })

  it("GET /readyz answers 503 at once when the store refuses, even right after a success", async () => {
    const { server, failAt } = await startFailingStoreServer()
    expect((await call(`${server.url}/readyz`)).status).toBe(200)
    failAt(1)
    const started = Date.now()
    const down = await call(`${server.url}/readyz`)
    expect(down.status).toBe(503)
    expect(Date.now() - started).toBeLessThan(1_000)
  })
})

describe("store reachability", () => {
  const options = { answerWithinMs: 20, recentMs: 1_000 }
  const never = () => new Promise<void>(() => undefined)
  const refused = () => Promise.reject(new NotReady({ reason: "the store is unavailable" }))

  it("is ok when the ping answers in time, and slow when a late ping follows a recent success", async () => {
    let ping: () => Promise<void> = () => Promise.resolve()
    const state = storeReachability(() => ping(), options)
    expect(await state()).toBe("ok")
    ping = never
    expect(await state()).toBe("slow")
  })

  it("shares one ping in flight between probes, so a busy store is not pinged harder", async () => {
    let pings = 0
    let ping: () => Promise<void> = () => Promise.resolve()
    const state = storeReachability(() => {
      pings++
      return ping()
    }, options)
    await state()
    ping = never
    await Promise.all([state(), state(), state()])
    expect(pings).toBe(2)
  })

  it("waits for the ping when no success is recent, and fails with it", async () => {
    let clock = 0
    let ping: () => Promise<void> = () => Promise.resolve()
    const state = storeReachability(
      () => ping(),
      options,
      () => clock,
    )
    await state()
    clock = 5_000
    ping = () =>
      new Promise<void>((_, reject) => setTimeout(() => reject(new NotReady({ reason: "late" })), 50))
    await expect(state()).rejects.toMatchObject({ _tag: "NotReady", reason: "late" })
  })

  it("fails at once on a refused ping, recent success or not", async () => {
    let ping: () => Promise<void> = () => Promise.resolve()
    const state = storeReachability(() => ping(), options)
    await state()
    ping = refused
    await expect(state()).rejects.toMatchObject({ _tag: "NotReady" })
  })
})
