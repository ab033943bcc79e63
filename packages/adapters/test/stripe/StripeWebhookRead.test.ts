import { Effect } from "effect"
import Stripe from "stripe"
import { describe, expect, it } from "vitest"
import { nestsDeeperThan, verifyAndRead } from "../../src/stripe/StripeWebhookEvents.js"
import { SECRET_KEY, WEBHOOK_SECRET } from "./support.js"
import { checkoutSession, event, signed } from "./webhookPayloads.js"

const stripe = new Stripe(SECRET_KEY)

const read = (payload: string, header: string | undefined) =>
  Effect.runPromise(Effect.either(verifyAndRead(stripe, payload, header, WEBHOOK_SECRET)))

const signRaw = (payload: string) =>
  stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET })

describe("verifyAndRead: what a signed delivery is", () => {
  it("an event Settle acts on, with Stripe's created", async () => {
    const { payload, header } = signed(stripe, event("checkout.session.completed", checkoutSession()))
    const delivery = await read(payload, header)
    expect(delivery).toMatchObject({
      _tag: "Right",
      right: { _tag: "Event", event: { _tag: "PaymentSucceeded" }, created: new Date(1_795_000_200_000) },
    })
  })

  it("a signed event missing what Settle needs: Undecodable with its id, type and the field", async () => {
    const { payload, header } = signed(
      stripe,
      event("checkout.session.completed", { object: "checkout.session" }),
    )
    const delivery = await read(payload, header)
    expect(delivery).toMatchObject({
      _tag: "Right",
      right: { _tag: "Undecodable", eventId: "evt_1Qabc", type: "checkout.session.completed" },
    })
    expect(
      delivery._tag === "Right" && delivery.right._tag === "Undecodable" && delivery.right.reason,
    ).toMatch(/^data\.object\./)
  })

  it("a signed event nested 3,000 levels deep: Undecodable, no stack overflow", async () => {
    const deep = `${'{"a":'.repeat(3000)}1${"}".repeat(3000)}`
    const payload = `{"id":"evt_deep","object":"event","type":"charge.refunded","data":{"object":${deep}}}`
    const delivery = await read(payload, signRaw(payload))
    expect(delivery).toMatchObject({
      _tag: "Right",
      right: {
        _tag: "Undecodable",
        eventId: "evt_deep",
        reason: "(root): the event nests deeper than 64 levels",
      },
    })
  })

  it("signed bytes that are not JSON: Undecodable under an id made from the bytes, its type unknown", async () => {
    const delivery = await read("[[[", signRaw("[[["))
    expect(delivery).toMatchObject({ _tag: "Right", right: { _tag: "Undecodable", type: "unknown" } })
    expect(
      delivery._tag === "Right" && delivery.right._tag === "Undecodable" && delivery.right.eventId,
    ).toMatch(/^evt_undecodable_[0-9a-f]{32}$/)
  })

  it("a bad signature still fails: nothing is read from unsigned bytes", async () => {
    const payload = JSON.stringify({ id: "evt_x", object: "event", type: "t", data: { object: {} } })
    const delivery = await read(payload, "t=1,v1=00")
    expect(delivery).toMatchObject({ _tag: "Left", left: { _tag: "WebhookSignatureInvalid" } })
  })

  it("nestsDeeperThan counts objects and arrays alike, iteratively", () => {
    expect(nestsDeeperThan({ a: [{ b: 1 }] }, 3)).toBe(false)
    expect(nestsDeeperThan({ a: [{ b: {} }] }, 3)).toBe(true)
    let deep: unknown = 1
    for (let i = 0; i < 100_000; i++) deep = [deep]
    expect(nestsDeeperThan(deep, 64)).toBe(true)
  })
})
