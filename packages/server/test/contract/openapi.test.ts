import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import type Router from "@koa/router"
import { validate } from "@readme/openapi-parser"
import { describe, expect, it } from "vitest"
import { type AppOptions, buildRouter } from "../../src/http/app.js"
import { routeDeclarations } from "../../src/http/contract/declarations.js"
import { openApiText } from "../../src/http/contract/document.js"
import { openApiDocument } from "../../src/http/contract/openapi.js"
import { koaPath } from "../../src/http/contract/route.js"
import { checkAnswer } from "./responseCheck.js"

const committed = fileURLToPath(new URL("../../../../docs/openapi.json", import.meta.url))

/** What building the router needs: mounting only closes over the options, it calls none of them. */
const options = {} as AppOptions

/** `GET /api/v1/orders/:id` for every method a router layer serves (HEAD comes with GET). */
const served = (router: Router): Set<string> =>
  new Set(
    router.stack.flatMap((layer) =>
      layer.methods.filter((method) => method !== "HEAD").map((method) => `${method} ${String(layer.path)}`),
    ),
  )

const declared = (): Set<string> =>
  new Set(routeDeclarations.map((route) => `${route.method.toUpperCase()} ${koaPath(route.path)}`))

/** Routes the router serves without a declaration, and declarations the router does not serve. */
const drift = (router: Router) => ({
  undeclared: [...served(router)].filter((route) => !declared().has(route)).sort(),
  unserved: [...declared()].filter((route) => !served(router).has(route)).sort(),
})

describe("the OpenAPI document", () => {
  it("validates as OpenAPI 3.1 with @readme/openapi-parser", async () => {
    const document = openApiDocument(routeDeclarations)
    expect(document.openapi).toBe("3.1.0")
    const result = await validate(structuredClone(document) as never)
    expect(result.valid, JSON.stringify(result, null, 2).slice(0, 4000)).toBe(true)
  })

  it("is committed as docs/openapi.json, as generated", () => {
    const file = JSON.parse(readFileSync(committed, "utf8")) as unknown
    expect(file, "docs/openapi.json is out of date: regenerate it with `pnpm run openapi`").toEqual(
      JSON.parse(openApiText()),
    )
  })

  it("documents every route the router serves, and the router serves every documented one", () => {
    expect(drift(buildRouter(options))).toEqual({ undeclared: [], unserved: [] })
  })

  it("self-check: a route added with router.get(...) and no declaration is caught", () => {
    const router = buildRouter(options)
    router.get("/api/v1/undeclared/:id", (ctx) => {
      ctx.body = "no declaration"
    })
    expect(drift(router).undeclared).toEqual(["GET /api/v1/undeclared/:id"])
  })

  it("gives every operation a unique operationId, and every error the common error body", () => {
    const document = openApiDocument(routeDeclarations)
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item))
    const ids = operations.map((operation) => operation.operationId)
    expect(new Set(ids).size).toBe(ids.length)
    for (const operation of operations) {
      for (const [status, response] of Object.entries(
        operation.responses as Record<string, { content?: object }>,
      )) {
        if (Number(status) < 400) continue
        expect(response.content, `${String(operation.operationId)} ${status}`).toHaveProperty(
          ["application/json", "schema", "$ref"],
          "#/components/schemas/ErrorBody",
        )
      }
    }
  })
})

describe("the response check of the shared test helpers (self-check)", () => {
  const json = new Headers({ "content-type": "application/json; charset=utf-8" })
  const base = "http://127.0.0.1:1"

  it("accepts a documented status with a conforming body", () => {
    expect(() =>
      checkAnswer("GET", `${base}/healthz`, { status: 200, headers: json, body: { status: "ok" } }),
    ).not.toThrow()
  })

  it("fails an undocumented status, naming the operation and the documented ones", () => {
    expect(() =>
      checkAnswer("GET", `${base}/healthz`, { status: 418, headers: json, body: { status: "ok" } }),
    ).toThrow(/GET \/healthz \(liveness\) answered 418, which the OpenAPI document does not list/)
  })

  it("fails a body that breaks the schema", () => {
    expect(() =>
      checkAnswer("GET", `${base}/api/v1/orders/ord_1`, {
        status: 401,
        headers: json,
        body: { error: { code: "ORDER_TOKEN_REQUIRED" } },
      }),
    ).toThrow(/getOrder\) answered 401 with a body that breaks its schema/)
  })

  it("fails an error code the operation does not list for that status", () => {
    expect(() =>
      checkAnswer("GET", `${base}/api/v1/orders/ord_1`, {
        status: 401,
        headers: json,
        body: { error: { code: "UNAUTHORIZED", message: "no", details: {} } },
      }),
    ).toThrow(/answered 401 UNAUTHORIZED, a code the document does not list for it \(ORDER_TOKEN_REQUIRED\)/)
  })

  it("fails a media type the operation does not answer", () => {
    expect(() =>
      checkAnswer("GET", `${base}/healthz`, {
        status: 200,
        headers: new Headers({ "content-type": "text/html" }),
        body: "<p>ok</p>",
      }),
    ).toThrow(/as text\/html; the document lists application\/json/)
  })

  it("holds an unknown path to the router's 404 and a known path's other method to 405", () => {
    const refusal = { error: { code: "NOT_FOUND", message: "no route", details: {} } }
    expect(() =>
      checkAnswer("GET", `${base}/nowhere`, { status: 404, headers: json, body: refusal }),
    ).not.toThrow()
    expect(() => checkAnswer("GET", `${base}/nowhere`, { status: 200, headers: json, body: {} })).toThrow(
      /has no operation/,
    )
    expect(() =>
      checkAnswer("DELETE", `${base}/healthz`, { status: 405, headers: json, body: refusal }),
    ).not.toThrow()
  })
})
