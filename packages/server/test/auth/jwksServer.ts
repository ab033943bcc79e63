import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import type { JSONWebKeySet } from "jose"

/** How the fake identity provider answers: its keys, a 500, nothing at all, or a body that is not JSON. */
export type JwksMode = "ok" | "error" | "hang" | "garbage"

export interface JwksServer {
  readonly url: string
  readonly setMode: (mode: JwksMode) => void
  /** JWKS fetches so far: the verifier caches keys and refetches only for an unknown kid after a cooldown. */
  readonly fetches: () => number
  readonly close: () => Promise<void>
}

/** An identity provider's JWKS endpoint on 127.0.0.1, at a port the OS picks. */
export const startJwksServer = async (jwks: JSONWebKeySet): Promise<JwksServer> => {
  let mode: JwksMode = "ok"
  let fetches = 0
  const server = createServer((request, response) => {
    fetches++
    if (request.url !== "/.well-known/jwks.json") return void response.writeHead(404).end()
    if (mode === "hang") return
    if (mode === "error") return void response.writeHead(500).end("upstream down")
    response.writeHead(200, { "content-type": "application/json" })
    response.end(mode === "garbage" ? "<html>maintenance</html>" : JSON.stringify(jwks))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    setMode: (next) => {
      mode = next
    },
    fetches: () => fetches,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error === undefined ? resolve() : reject(error)))
      }),
  }
}
