import { IncomingMessage, ServerResponse } from "node:http"
import { Socket } from "node:net"
import { describe, expect, it } from "vitest"
import { policyWriter, securityPolicy } from "../../src/http/securityHeaders.js"
import { PAGE_POLICY } from "../../src/sandbox/guard.js"
import { adminToken, call, checkout, postJson, startTestServer } from "../support/server.js"

const expectSecurityHeaders = (headers: Headers) => {
  expect(headers.get("x-content-type-options")).toBe("nosniff")
  expect(headers.get("x-frame-options")).toBe("DENY")
  expect(headers.get("referrer-policy")).toBe("no-referrer")
  expect(headers.get("content-security-policy")).toContain("frame-ancestors 'none'")
  expect(headers.get("cross-origin-resource-policy")).toBe("cross-origin")
  expect(headers.get("x-powered-by")).toBeNull()
}

describe("security headers on every response", () => {
  it("on errors, 404, 405, health, metrics and HTML pages", async () => {
    const server = await startTestServer()
    const answers = [
      ["a 400", await postJson(`${server.url}/api/v1/checkout`, "{")],
      ["a 401", await call(`${server.url}/api/v1/admin/products`)],
      ["a 404", await call(`${server.url}/nowhere`)],
      ["a 405", await call(`${server.url}/api/v1/checkout`, { method: "DELETE" })],
      ["/healthz", await call(`${server.url}/healthz`)],
      ["/metrics", await call(`${server.url}/metrics`)],
      ["the checkout return page", await call(`${server.url}/checkout/success`)],
    ] as const
    for (const [what, answer] of answers) {
      try {
        expectSecurityHeaders(answer.headers)
      } catch (error) {
        throw new Error(`${what} (${answer.status}): ${String(error)}`)
      }
    }
    // and on a JSON success
    const admin = await call(`${server.url}/api/v1/admin/products`, {
      headers: { Authorization: `Bearer ${await adminToken()}` },
    })
    expect(admin.status).toBe(200)
    expectSecurityHeaders(admin.headers)
  })

  it("keeps the sandbox pay page's own stricter policy, and the page still renders", async () => {
    const server = await startTestServer()
    const opened = await checkout(server)
    const page = await call(opened.paymentUrl, { headers: { Accept: "text/html" } })
    expect(page.status).toBe(200)
    expect(page.headers.get("content-type")).toMatch(/^text\/html/)
    expect(page.headers.get("content-security-policy")).toBe(PAGE_POLICY)
    expect(page.headers.get("x-content-type-options")).toBe("nosniff")
    expect(page.headers.get("referrer-policy")).toBe("no-referrer")
    expect(String(page.body)).toContain("<form")
    // Its Pay button still works: a same-origin post from the page is taken.
    const paid = await call(`${opened.paymentUrl}/pay`, {
      method: "POST",
      redirect: "manual",
      headers: {
        Accept: "text/html",
        "Content-Type": "application/x-www-form-urlencoded",
        "Sec-Fetch-Site": "same-origin",
      },
    })
    expect(paid.status).toBeLessThan(400)
    expect(paid.headers.get("x-frame-options")).toBe("DENY")
  })
})

const POLICY = [
  ["X-Frame-Options", "DENY"],
  ["Content-Security-Policy", "default-src 'none'"],
  ["X-Content-Type-Options", "nosniff"],
] as const

/** The head Node writes for a response `answer` builds after `apply` ran, its Date line left out. */
const headOf = (
  apply: (response: ServerResponse) => void,
  answer: (response: ServerResponse) => void,
): string => {
  const request = new IncomingMessage(new Socket())
  request.httpVersionMajor = 1
  request.httpVersionMinor = 1
  request.method = "GET"
  const response = new ServerResponse(request)
  apply(response)
  answer(response)
  return String((response as unknown as { _header: string })._header).replace(/^Date: .*\r\n/m, "")
}

describe("the policy's headers, written as one block", () => {
  const block = policyWriter(POLICY)
  const viaSetHeader = (response: ServerResponse) => {
    for (const [name, value] of POLICY) response.setHeader(name, value)
  }

  it("is how this Node writes them", () => {
    expect(block.kind).toBe("block")
    expect(securityPolicy().kind).toBe("block")
  })

  it("writes the head setHeader would, byte for byte", () => {
    const answer = (response: ServerResponse) => {
      response.setHeader("Content-Type", "application/json; charset=utf-8")
      response.setHeader("Content-Length", "15")
      response.writeHead(201)
    }
    const head = headOf(block.apply, answer)
    expect(head).toBe(headOf(viaSetHeader, answer))
    expect(head).toMatch(/^HTTP\/1\.1 201 Created\r\nX-Frame-Options: DENY\r\nContent-Security-Policy: /)
  })

  it("leaves a header the route set itself to the route, whichever way it set it", () => {
    const answers: ReadonlyArray<(response: ServerResponse) => void> = [
      (response) => {
        response.setHeader("content-security-policy", "sandbox")
        response.writeHead(200)
      },
      (response) => {
        response.writeHead(200, { "Content-Security-Policy": "sandbox" })
      },
      (response) => {
        response.writeHead(200, ["Content-Security-Policy", "sandbox"])
      },
      (response) => {
        response.writeHead(200, [["CONTENT-SECURITY-POLICY", "sandbox"]] as unknown as Array<string>)
      },
    ]
    for (const answer of answers) {
      const head = headOf(block.apply, answer)
      expect(head.match(/content-security-policy/gi)).toHaveLength(1)
      expect(head).toMatch(/^content-security-policy: sandbox\r\n/im)
      expect(head).toContain("X-Frame-Options: DENY\r\nX-Content-Type-Options: nosniff\r\n")
    }
  })
})
