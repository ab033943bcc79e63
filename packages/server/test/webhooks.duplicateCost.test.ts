import {
  AuditLog,
  CouponRepository,
  CouponReservationRepository,
  IdempotencyKeys,
  InvoiceModeSetting,
  JobLeases,
  Ledger,
  MediaAssetRepository,
  OrderRepository,
  ProductCatalog,
  WebhookEventInbox,
} from "@settle/domain"
import { aroundCalls, type PortRewrite, portRewrite, rewriteLayer } from "@settle/testkit"
import { type Context, Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { AppServices } from "../src/runtime.js"
import { checkout, deliver, sandboxControl, sessionOf, startTestServer } from "./support/server.js"

/** Every storage port of the embedded default, each call recorded as `<Port>.<method>` in `calls`. */
const recordingStores = (calls: Array<string>) => {
  const recorded = <Id extends AppServices, S extends object>(
    tag: Context.Tag<Id, S>,
  ): PortRewrite<AppServices, undefined> =>
    portRewrite(tag, (service, _env: undefined, port) =>
      aroundCalls(service, (method, call) =>
        Effect.zipRight(
          Effect.sync(() => calls.push(`${port}.${method}`)),
          call,
        ),
      ),
    )
  return [
    recorded(OrderRepository),
    recorded(ProductCatalog),
    recorded(CouponRepository),
    recorded(CouponReservationRepository),
    recorded(WebhookEventInbox),
    recorded(Ledger),
    recorded(AuditLog),
    recorded(MediaAssetRepository),
    recorded(JobLeases),
    recorded(InvoiceModeSetting),
    recorded(IdempotencyKeys),
  ]
}

describe("a redelivered webhook on the memory stores (issue 12: duplicates cost one inbox lookup)", () => {
  it("calls the inbox's receive once and no other store method", async () => {
    const calls: Array<string> = []
    const server = await startTestServer({
      overrideLayer: (layer) => rewriteLayer(layer, Effect.succeed(undefined), recordingStores(calls)),
    })
    const placed = await checkout(server)
    const event = await server.runtime.runPromise((await sandboxControl(server)).pay(sessionOf(placed)))
    const first = await deliver(server, event)
    expect(first.body).toMatchObject({ outcome: { status: "processed" } })
    // The recording reaches the stores: the fresh delivery went through several of them.
    expect(calls).toContain("WebhookEventInbox.receive")
    expect(calls).toContain("OrderRepository.markFinalized")

    calls.length = 0
    const again = await deliver(server, event)

    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ eventId: event.eventId, outcome: { status: "duplicate" } })
    expect(calls).toEqual(["WebhookEventInbox.receive"])
  })
})
