import { describe, expect, it } from "vitest"
import { call, checkout, errorOf, readOrder, startTestServer } from "./support/server.js"

const orderStatus = async (...args: Parameters<typeof readOrder>) =>
  ((await readOrder(...args)).body as { order: { status: string } }).order.status

/** A browser's form post of the pay page's button, with the headers the browser adds. */
const press = (url: string, headers: Record<string, string>) =>
  call(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
  })

describe("sandbox pay page: no cross-site posts, no framing", () => {
  it.each([
    ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site", Origin: "https://evil.example" }],
    ["Sec-Fetch-Site: same-site", { "Sec-Fetch-Site": "same-site", Origin: "https://other.shop.example" }],
    ["an Origin of another site", { Origin: "https://evil.example" }],
    ["Origin: null", { Origin: "null" }],
  ])(
    "refuses a post carrying %s with 403 SANDBOX_CROSS_SITE_POST, and pays nothing",
    async (_name, headers) => {
      const server = await startTestServer()
      const placed = await checkout(server)
      for (const action of ["pay", "expire"]) {
        const refused = await press(`${placed.paymentUrl}/${action}`, headers)
        expect([refused.status, errorOf(refused).code]).toEqual([403, "SANDBOX_CROSS_SITE_POST"])
        expect(errorOf(refused).message).toMatch(/accepts posts from its own page only/)
      }
      expect(await orderStatus(server, placed)).toBe("pending")
    },
  )

  it("takes the page's own post (Sec-Fetch-Site: same-origin, or its Origin) and a client without either", async () => {
    const server = await startTestServer()
    const pressedBy = async (headers: Record<string, string>) => {
      const placed = await checkout(server)
      return (await press(`${placed.paymentUrl}/pay`, headers)).status
    }
    expect(await pressedBy({ "Sec-Fetch-Site": "same-origin", Origin: server.url })).toBe(200)
    expect(await pressedBy({ Origin: server.url })).toBe(200)
    // curl, the banner's walk-through: no browser, so no other site can have sent it.
    expect(await pressedBy({})).toBe(200)
  })

  it("behind a proxy, takes posts from PUBLIC_URL's origin", async () => {
    const server = await startTestServer({ publicUrl: "https://shop.example.com" })
    const placed = await checkout(server)
    const path = new URL(placed.paymentUrl).pathname
    const paid = await press(`${server.url}${path}/pay`, { Origin: "https://shop.example.com" })
    expect(paid.status).toBe(200)
  })

  it("forbids framing of the page and of every answer of its buttons", async () => {
    const server = await startTestServer()
    const placed = await checkout(server)
    const page = await call(placed.paymentUrl, { headers: { Accept: "text/html" } })
    const refused = await press(`${placed.paymentUrl}/pay`, { "Sec-Fetch-Site": "cross-site" })
    const paid = await press(`${placed.paymentUrl}/pay`, { "Sec-Fetch-Site": "same-origin" })
    const unknown = await call(`${server.url}/sandbox/checkout/cs_unknown`, {
      headers: { Accept: "text/html" },
    })
    for (const answer of [page, refused, paid, unknown]) {
      expect(answer.headers.get("x-frame-options")).toBe("DENY")
      expect(answer.headers.get("content-security-policy")).toContain("frame-ancestors 'none'")
    }
    expect([page.status, refused.status, paid.status, unknown.status]).toEqual([200, 403, 200, 404])
  })
})
