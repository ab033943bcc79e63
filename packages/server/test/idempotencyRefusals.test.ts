import { IdempotencyKeys } from "@settle/domain"
import { crashable, FaultPlan, makePlan, storeCrash, withFaults } from "@settle/testkit"
import { Effect, Layer, Ref } from "effect"
import { describe, expect, it } from "vitest"
import { adminToken, call, errorOf, startTestServer } from "./support/server.js"

/** The refusals IDEMPOTENCY_ERRORS documents on every idempotent route; `call` checks each against the document. */
describe("Idempotency-Key refusals as the document declares them", () => {
  it("refuses an empty key 400 INVALID_INPUT on an admin action without a body, running nothing", async () => {
    const server = await startTestServer()
    const headers = { Authorization: `Bearer ${await adminToken()}` }
    const refused = await call(`${server.url}/api/v1/admin/products/prod_demo_3`, {
      method: "DELETE",
      headers: { ...headers, "Idempotency-Key": "" },
    })
    expect(refused.status).toBe(400)
    expect(errorOf(refused)).toMatchObject({ code: "INVALID_INPUT", details: { field: "Idempotency-Key" } })
    const read = await call(`${server.url}/api/v1/admin/products/prod_demo_3`, { headers })
    expect((read.body as { product: { active: boolean } }).product.active).toBe(true)
  })

  it("answers 503 STORE_UNAVAILABLE with Retry-After when the key cannot be claimed, running nothing", async () => {
    const plan = Effect.runSync(makePlan())
    const server = await startTestServer({
      overrideLayer: (layer) =>
        withFaults(layer, [crashable(IdempotencyKeys, storeCrash)]).pipe(
          Layer.provide(Layer.succeed(FaultPlan, plan)),
        ),
    })
    const headers = { Authorization: `Bearer ${await adminToken()}` }
    Effect.runSync(Effect.all([Ref.set(plan.calls, 0), Ref.set(plan.failAt, 1)], { discard: true }))
    const answer = await call(`${server.url}/api/v1/admin/products/prod_demo_3`, {
      method: "DELETE",
      headers: { ...headers, "Idempotency-Key": "claim-fails" },
    })
    expect(answer.status).toBe(503)
    expect(errorOf(answer).code).toBe("STORE_UNAVAILABLE")
    expect(answer.headers.get("retry-after")).not.toBeNull()
    Effect.runSync(Ref.set(plan.failAt, null))
    const read = await call(`${server.url}/api/v1/admin/products/prod_demo_3`, { headers })
    expect((read.body as { product: { active: boolean } }).product.active).toBe(true)
  })
})
