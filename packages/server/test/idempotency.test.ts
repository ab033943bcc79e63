import type { AddressInfo } from "node:net"
import Router from "@koa/router"
import { PinoLogger } from "@settle/adapters"
import {
  createCheckout,
  IdempotencyKeys,
  OrderRepository,
  ProductCatalog,
  type Sku,
  StoreError,
} from "@settle/domain"
import { ClockControl, ControlledClock } from "@settle/testkit"
import { Effect, Layer, ManagedRuntime, Option } from "effect"
import Koa from "koa"
import { afterEach, describe, expect, it } from "vitest"
import { appLayer } from "../src/bootstrap/layers.js"
import { answerErrors } from "../src/http/answerErrors.js"
import { readJson } from "../src/http/body.js"
import { withIdempotency } from "../src/http/idempotency.js"
import { respond } from "../src/http/respond.js"
import type { RouteDeps } from "../src/http/routeDeps.js"
import type { AppRuntime } from "../src/runtime.js"
import { ADMIN_SECRET, CART, errorOf, WEBHOOK_SECRET } from "./support/server.js"

/**
 * withIdempotency mounted by hand around the checkout a route runs (until the route framework calls it
 * for every `idempotent: true` route): the server's layers and stores, the real error middleware.
 */
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

const T0 = new Date("2030-01-01T00:00:00.000Z")

const mountCheckout = async () => {
  // The server's own layers (memory store with the demo shop, sandbox payments) on a clock the test moves.
  const logger = PinoLogger.makePino({ level: "silent" })
  const layer = appLayer({
    storage: { _tag: "Memory" },
    payments: { _tag: "Sandbox", webhookSecret: WEBHOOK_SECRET },
    admin: { _tag: "Secret", secret: ADMIN_SECRET },
    publicUrl: () => "http://127.0.0.1",
    logger,
  })
  const runtime: AppRuntime = ManagedRuntime.make(Layer.merge(layer, ControlledClock.layer(T0)))
  closers.push(() => runtime.dispose())
  const server = { runtime }
  const deps: RouteDeps = {
    runtime: server.runtime,
    logger,
    bodyLimitBytes: 16 * 1024,
    reservationTtlMs: 30 * 60_000,
  }
  // Opened by a test to hold a checkout in flight.
  let gate: Promise<void> = Promise.resolve()
  const router = new Router()
  router.post("/checkout", async (ctx) => {
    if (typeof ctx.get("X-Actor") === "string" && ctx.get("X-Actor") !== "")
      ctx.state.actor = ctx.get("X-Actor")
    const body = await readJson(ctx, deps.bodyLimitBytes)
    await withIdempotency(ctx, deps, { operation: "createCheckout", body }, async () => {
      await gate
      await respond(ctx, deps.runtime, createCheckout(body), 201, ({ order, paymentUrl }) => {
        ctx.set("Location", `/api/v1/orders/${order.id}`)
        return { order: { id: order.id, status: order.status }, accessToken: order.accessToken, paymentUrl }
      })
    })
  })
  // An answer without a Location, as most admin mutations give.
  let counted = 0
  // Set by a test: the next run of /count fails as an unreachable store does (503).
  const failures = { next: 0 }
  router.post("/count", async (ctx) => {
    const body = await readJson(ctx, deps.bodyLimitBytes)
    await withIdempotency(ctx, deps, { operation: "count", body }, async () => {
      if (failures.next > 0) {
        failures.next -= 1
        throw new StoreError({ message: "[db] unreachable" })
      }
      counted += 1
      ctx.body = { counted }
    })
  })
  const app = new Koa()
  app.use(answerErrors(logger))
  app.use(router.routes())
  const listening = app.listen(0, "127.0.0.1")
  await new Promise((resolve) => listening.once("listening", resolve))
  closers.push(() => new Promise((resolve) => listening.close(() => resolve())))
  const base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`
  const post = async (body: unknown, headers: Record<string, string> = {}, path = "/checkout") => {
    const response = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    })
    return { status: response.status, headers: response.headers, body: (await response.json()) as unknown }
  }
  const inStore = <A>(
    program: Effect.Effect<A, unknown, OrderRepository | ProductCatalog | IdempotencyKeys | ClockControl>,
  ) => server.runtime.runPromise(program as Effect.Effect<A, unknown, never>)
  const orders = () =>
    inStore(Effect.flatMap(OrderRepository, (repository) => repository.list({ limit: 100 })))
  const beans = () =>
    inStore(
      Effect.flatMap(ProductCatalog, (catalog) =>
        Effect.flatMap(catalog.findBySkus(["BEANS-1KG" as Sku]), ([listed]) =>
          listed === undefined
            ? Effect.succeed(undefined)
            : Effect.map(catalog.findById(listed.id), (product) => Option.getOrThrow(product).stock),
        ),
      ),
    )
  const hold = () => {
    let open = () => {}
    gate = new Promise((resolve) => {
      open = resolve
    })
    return () => {
      gate = Promise.resolve()
      open()
    }
  }
  return { post, orders, beans, hold, inStore, failures }
}

describe("Idempotency-Key on checkout", () => {
  it("a retried checkout makes one order: the retry replays status, body and Location, marked Idempotent-Replayed", async () => {
    const shop = await mountCheckout()
    const before = await shop.beans()
    const first = await shop.post(CART, { "Idempotency-Key": "retry-1" })
    expect(first.status).toBe(201)
    expect(first.headers.get("idempotent-replayed")).toBeNull()
    // The same request spelled with its keys in another order is the same request.
    const reordered = `{"email":"${CART.email}","currency":"EUR","items":[{"quantity":2,"sku":"BEANS-1KG"}]}`
    for (const body of [CART, reordered]) {
      const retry = await shop.post(body, { "Idempotency-Key": "retry-1" })
      expect(retry.status).toBe(201)
      expect(retry.body).toEqual(first.body)
      expect(retry.headers.get("location")).toBe(first.headers.get("location"))
      expect(retry.headers.get("idempotent-replayed")).toBe("true")
    }
    expect(await shop.orders()).toHaveLength(1)
    expect((await shop.beans())?.reserved).toBe((before?.reserved ?? 0) + 2)
    // Without a key every request runs.
    await shop.post(CART)
    expect(await shop.orders()).toHaveLength(2)
  })

  it("refuses the same key with a different body 422 IDEMPOTENCY_KEY_REUSED, running nothing", async () => {
    const shop = await mountCheckout()
    await shop.post(CART, { "Idempotency-Key": "reused" })
    const other = await shop.post(
      { ...CART, items: [{ sku: "BEANS-1KG", quantity: 3 }] },
      { "Idempotency-Key": "reused" },
    )
    expect(other.status).toBe(422)
    expect(errorOf(other as never)).toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
      details: { field: "Idempotency-Key" },
    })
    expect(await shop.orders()).toHaveLength(1)
  })

  it("refuses a retry while the first request runs 409 IDEMPOTENCY_KEY_IN_USE with Retry-After, then replays its answer", async () => {
    const shop = await mountCheckout()
    const open = shop.hold()
    const first = shop.post(CART, { "Idempotency-Key": "busy" })
    // Wait until the first request holds the key.
    for (let i = 0; i < 200; i++) {
      const record = await shop.inStore(
        Effect.flatMap(IdempotencyKeys, (keys) => keys.find("createCheckout shop", "busy")),
      )
      if (record !== null) break
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const concurrent = await shop.post(CART, { "Idempotency-Key": "busy" })
    expect(concurrent.status).toBe(409)
    expect(concurrent.headers.get("retry-after")).toBe("1")
    expect(errorOf(concurrent as never).code).toBe("IDEMPOTENCY_KEY_IN_USE")
    open()
    const answered = await first
    expect(answered.status).toBe(201)
    const retry = await shop.post(CART, { "Idempotency-Key": "busy" })
    expect([retry.status, retry.headers.get("idempotent-replayed")]).toEqual([201, "true"])
    expect(retry.body).toEqual(answered.body)
    expect(await shop.orders()).toHaveLength(1)
  })

  it("forgets a key after 24 hours: the same request then runs again", async () => {
    const shop = await mountCheckout()
    const first = await shop.post(CART, { "Idempotency-Key": "daily" })
    await shop.inStore(Effect.flatMap(ClockControl, (clock) => clock.advance(24 * 60 * 60_000 - 1)))
    expect((await shop.post(CART, { "Idempotency-Key": "daily" })).headers.get("idempotent-replayed")).toBe(
      "true",
    )
    await shop.inStore(Effect.flatMap(ClockControl, (clock) => clock.advance(1)))
    const again = await shop.post(CART, { "Idempotency-Key": "daily" })
    expect(again.status).toBe(201)
    expect(again.headers.get("idempotent-replayed")).toBeNull()
    expect(again.body).not.toEqual(first.body)
    expect(await shop.orders()).toHaveLength(2)
  })

  it("keeps and replays a 4xx answer; scopes an admin's key to that admin", async () => {
    const shop = await mountCheckout()
    const unknown = { ...CART, items: [{ sku: "NOPE", quantity: 1 }] }
    const refused = await shop.post(unknown, { "Idempotency-Key": "bad-sku" })
    expect(refused.status).toBe(422)
    const replayed = await shop.post(unknown, { "Idempotency-Key": "bad-sku" })
    expect([replayed.status, replayed.headers.get("idempotent-replayed")]).toEqual([422, "true"])
    expect(replayed.body).toEqual(refused.body)
    // Two admins' keys never meet, nor an admin's and a shopper's.
    await shop.post(CART, { "Idempotency-Key": "shared", "X-Actor": "ada@example.com" })
    const other = await shop.post(CART, { "Idempotency-Key": "shared", "X-Actor": "bob@example.com" })
    const shopper = await shop.post(CART, { "Idempotency-Key": "shared" })
    expect([other.headers.get("idempotent-replayed"), shopper.headers.get("idempotent-replayed")]).toEqual([
      null,
      null,
    ])
    expect(await shop.orders()).toHaveLength(3)
  })

  it("replays an answer that set no Location with none, and keeps operations apart under one key", async () => {
    const shop = await mountCheckout()
    const first = await shop.post({ note: "x" }, { "Idempotency-Key": "count-1" }, "/count")
    const retry = await shop.post({ note: "x" }, { "Idempotency-Key": "count-1" }, "/count")
    expect([first.status, first.body]).toEqual([200, { counted: 1 }])
    expect([retry.status, retry.body, retry.headers.get("idempotent-replayed")]).toEqual([
      200,
      { counted: 1 },
      "true",
    ])
    expect(retry.headers.get("location")).toBeNull()
    // The same key on another operation is another key.
    expect((await shop.post(CART, { "Idempotency-Key": "count-1" })).status).toBe(201)
  })

  it("keeps no 5xx: a retry after a store failure runs again", async () => {
    const shop = await mountCheckout()
    shop.failures.next = 1
    const failed = await shop.post({ note: "x" }, { "Idempotency-Key": "flaky" }, "/count")
    expect([failed.status, errorOf(failed as never).code]).toEqual([503, "STORE_UNAVAILABLE"])
    const retry = await shop.post({ note: "x" }, { "Idempotency-Key": "flaky" }, "/count")
    expect([retry.status, retry.body, retry.headers.get("idempotent-replayed")]).toEqual([
      200,
      { counted: 1 },
      null,
    ])
  })

  it.each([
    ["an empty key", ""],
    ["a key over 255 characters", "k".repeat(256)],
  ])("refuses %s 400 INVALID_INPUT naming Idempotency-Key, running nothing", async (_, key) => {
    const shop = await mountCheckout()
    const answer = await shop.post(CART, { "Idempotency-Key": key })
    expect(answer.status).toBe(400)
    expect(errorOf(answer as never)).toMatchObject({
      code: "INVALID_INPUT",
      details: { field: "Idempotency-Key" },
    })
    expect(await shop.orders()).toHaveLength(0)
    expect((await shop.post(CART, { "Idempotency-Key": "k".repeat(255) })).status).toBe(201)
  })
})
