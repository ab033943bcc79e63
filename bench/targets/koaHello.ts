import type { AddressInfo } from "node:net"
import { Koa } from "../support/serverDeps.js"

/** The framework alone: bare Koa 3 answering what Settle's /healthz answers. */
const app = new Koa()
app.use((ctx) => {
  ctx.body = { status: "ok" }
})
const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
process.once("SIGTERM", () => server.close(() => process.exit(0)))
