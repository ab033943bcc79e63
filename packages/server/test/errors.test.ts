import * as Domain from "@settle/domain"
import { OrderRepository } from "@settle/domain"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { AdminUnauthorized } from "../src/auth/errors.js"
import { errorBody, problemFor } from "../src/http/errors.js"
import { Defect } from "../src/http/rejections.js"
import { call, checkout, PinoLoggerFor, startTestServer } from "./support/server.js"

const domainTags = Object.values(Domain)
  .filter((value) => typeof value === "function" && typeof (value as { _tag?: unknown })._tag === "string")
  .map((value) => (value as unknown as { _tag: string })._tag)

describe("the tag → status table", () => {
  it("maps every domain error the domain exports; none falls through to 500", () => {
    expect(domainTags.length).toBeGreaterThan(15)
    for (const _tag of domainTags) {
      const problem = problemFor({ _tag, field: "f", message: "m", providerAnswered: false })
      expect([_tag, problem.status < 500 || problem.status === 502 || problem.status === 503]).toEqual([
        _tag,
        true,
      ])
      expect(problem.code).toMatch(/^[A-Z][A-Z0-9_]+$/)
    }
  })

  it.each([
    ["InvalidInput", 400],
    ["UnknownSku", 422],
    ["UnknownCoupon", 422],
    ["CurrencyMismatch", 422],
    ["InsufficientStock", 409],
    ["CouponUnavailable", 409],
    ["OrderNotFound", 404],
    ["AlreadyFinalized", 409],
    ["IllegalTransition", 409],
    ["CapacityGone", 409],
    ["RefundExceedsCaptured", 422],
    ["DuplicateKey", 409],
    ["StoreError", 503],
    ["PaymentGatewayError", 503],
    ["WriteConflict", 503],
    ["WebhookSignatureInvalid", 400],
  ])("%s → %i", (_tag, status) => {
    expect(problemFor({ _tag, field: "f", message: "m" }).status).toBe(status)
  })

  it("answers a missing order 503 on the webhook, where a retry may find it", () => {
    expect(problemFor(new Domain.OrderNotFound({ key: "ord_1" }), "webhook").status).toBe(503)
  })

  it("challenges a 401 with WWW-Authenticate: Bearer", () => {
    const problem = problemFor(new AdminUnauthorized({ reason: "expired", message: "token expired" }))
    expect(problem.status).toBe(401)
    expect(problem.headers["WWW-Authenticate"]).toMatch(/^Bearer /)
  })

  it("hides defects and unknown throwables behind a generic 500", () => {
    for (const error of [
      new Defect({ detail: "stack with secrets" }),
      new Error("db password=x"),
      "boom",
      null,
    ]) {
      const problem = problemFor(error)
      expect(errorBody(problem)).toEqual({
        error: { code: "INTERNAL_ERROR", message: "internal error", details: {} },
      })
    }
  })
})

describe("a defect over HTTP", () => {
  it("answers 500 with the generic message, logs the cause, and leaks nothing", async () => {
    const lines: Array<string> = []
    const server = await startTestServer({
      logger: PinoLoggerFor(lines),
      overrideLayer: (layer) =>
        Layer.provideMerge(
          Layer.effect(
            OrderRepository,
            Effect.map(OrderRepository, (orders) =>
              OrderRepository.of({ ...orders, findById: () => Effect.die(new Error("secret-detail-42")) }),
            ),
          ),
          layer,
        ),
    })
    const placed = await checkout(server)
    const answer = await call(`${server.url}/api/v1/orders/${placed.order.id}`, {
      headers: { "X-Order-Token": placed.accessToken },
    })
    expect(answer.status).toBe(500)
    expect(answer.body).toEqual({ error: { code: "INTERNAL_ERROR", message: "internal error", details: {} } })
    expect(JSON.stringify(answer.body)).not.toContain("secret-detail-42")
    expect(lines.some((line) => line.includes("secret-detail-42") && line.includes("[http]"))).toBe(true)
  })
})
