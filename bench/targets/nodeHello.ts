import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

/** The floor: node:http answering what Settle's /healthz answers, with nothing in between. */
const body = JSON.stringify({ status: "ok" })
const server = createServer((_req, res) => {
  res.writeHead(200, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  })
  res.end(body)
})
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
process.once("SIGTERM", () => server.close(() => process.exit(0)))
