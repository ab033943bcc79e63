import type { AddressInfo } from "node:net"
import Router from "@koa/router"
import Koa, { type Middleware } from "koa"
import { afterEach, describe, expect, it } from "vitest"
import { exactRoutes, type MountedRoute } from "../src/http/contract/exactRoutes.js"
import { routeOf } from "../src/http/timing.js"

const servers: Array<{ close: () => void }> = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

/** Answers which step ran, the route label and the params, as Settle's handlers and access log see them. */
const answering =
  (name: string): Middleware =>
  (ctx) => {
    ctx.body = { by: name, route: routeOf(ctx), params: ctx.params }
  }

/** A Koa app routing `routes` the way makeApp does: the exact table, then the router, then a 404. */
const serve = async (routes: ReadonlyArray<MountedRoute>) => {
  const router = new Router()
  for (const route of routes) router.register(route.path, [route.method], [...route.steps])
  const app = new Koa()
  app.use(exactRoutes(router, routes))
  app.use((ctx) => {
    ctx.status = 404
    ctx.body = { by: "unrouted", route: routeOf(ctx) }
  })
  const server = app.listen(0, "127.0.0.1")
  servers.push(server)
  await new Promise((listening) => server.once("listening", listening))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return async (path: string, method = "GET") => {
    const answer = await fetch(`${base}${path}`, { method })
    return { status: answer.status, body: method === "HEAD" ? null : ((await answer.json()) as unknown) }
  }
}

describe("exact routes ahead of @koa/router", () => {
  it("answers a route without parameters as the router would: its template as route, no params", async () => {
    const get = await serve([
      { method: "GET", path: "/healthz", steps: [answering("healthz")] },
      { method: "GET", path: "/orders/:id", steps: [answering("order")] },
    ])
    expect(await get("/healthz")).toEqual({
      status: 200,
      body: { by: "healthz", route: "/healthz", params: {} },
    })
    expect(await get("/orders/o1")).toEqual({
      status: 200,
      body: { by: "order", route: "/orders/:id", params: { id: "o1" } },
    })
  })

  it("leaves HEAD, a trailing slash, another case and other methods to the router", async () => {
    const get = await serve([{ method: "GET", path: "/healthz", steps: [answering("healthz")] }])
    expect(await get("/healthz", "HEAD")).toEqual({ status: 200, body: null })
    expect((await get("/healthz/")).body).toMatchObject({ by: "healthz", route: "/healthz" })
    expect((await get("/HEALTHZ")).body).toMatchObject({ by: "healthz", route: "/healthz" })
    expect(await get("/healthz", "POST")).toEqual({
      status: 404,
      body: { by: "unrouted", route: "unmatched" },
    })
  })

  it("does not take a path that an earlier route with parameters answers in the router", async () => {
    const get = await serve([
      { method: "GET", path: "/orders/:id", steps: [answering("order")] },
      { method: "GET", path: "/orders/export", steps: [answering("export")] },
    ])
    expect((await get("/orders/export")).body).toMatchObject({ by: "order", params: { id: "export" } })
  })

  it("runs the steps in order, and a step that does not call next ends the request", async () => {
    const guard: Middleware = async (ctx, next) => {
      if (ctx.query.pass !== "yes") {
        ctx.status = 401
        ctx.body = { by: "guard" }
        return
      }
      ctx.state.checked = true
      await next()
    }
    const seen: Middleware = (ctx) => {
      ctx.body = { by: "handler", checked: ctx.state.checked === true }
    }
    const get = await serve([{ method: "GET", path: "/metrics", steps: [guard, seen] }])
    expect(await get("/metrics")).toEqual({ status: 401, body: { by: "guard" } })
    expect(await get("/metrics?pass=yes")).toEqual({ status: 200, body: { by: "handler", checked: true } })
  })
})
