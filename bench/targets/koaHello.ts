import type { AddressInfo } from "node:net"
import { Koa, Router } from "../support/serverDeps.js"

/**
 * The framework alone: bare Koa 3 with one @koa/router route answering what Settle's /healthz answers.
 * Settle routes with @koa/router too, so the router's matching is part of the baseline, not of Settle's cost.
 */
const router = new Router()
router.get("/healthz", (ctx) => {
  ctx.body = { status: "ok" }
})
const app = new Koa()
app.use(router.routes())
const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
process.once("SIGTERM", () => server.close(() => process.exit(0)))
